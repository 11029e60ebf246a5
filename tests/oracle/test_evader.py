#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Oracle: the 335 HTTP-evader captures (../shared/testdata/pcaps/evader).

Each capture downloads the 68-byte EICAR test file through one HTTP evasion
(broken headers, chunking tricks, compression layers, odd Content-Length...).
suricata-verify expects the file in every one, and all 335 carry an
`expected_object` in expected.json. M counts the captures whose bytes a
browser would decode to EICAR: all of them except those in NOT_BROWSER,
each with the reason (they are still run, and reported if found).

All captures run through ONE `edgeward pcap` invocation with a synthetic
list holding the EICAR SHA-256 (from expected.json). A capture counts as
found when edgeward reports an object of exactly 68 bytes with that SHA-256
and no gap AND a match event for it from that capture. (Objects cut short
without a gap -- a Content-Length larger than what was sent, EOF inside a
chunk -- are hashed as received: the browser shows exactly those bytes.)
The suite prints "found N of M" and the misses, and fails when N drops
below FOUND_MIN: the count reached when this test was last tuned, so any
regression in the HTTP parser, decoders, reassembly or matching shows up.
"""
import collections
import json
import os
import sys
import tempfile

import ewtest

# Captures found by the HTTP parser as of this commit (raise it when the
# parser gets better; never lower it without saying why in the commit).
FOUND_MIN = 334

# Captures a browser would not decode to EICAR, and why.
NOT_BROWSER = {
    "http-evader-116-lzma.pcap":
        "Content-Encoding: lzma is decoded by no browser (they accept gzip, "
        "deflate, br, zstd); Suricata needs lzma-enabled=yes for it",
}


def main():
    data = ewtest.testdata()
    exp = json.load(open(os.path.join(data, "pcaps", "expected.json")))
    eicar = exp["eicar"]
    cases = [c for c in exp["http_evader_pcaps"] if c.get("expected_object")
             and os.path.basename(c["file"]) not in NOT_BROWSER]
    extra = [c for c in exp["http_evader_pcaps"]
             if os.path.basename(c["file"]) in NOT_BROWSER]
    for c in cases:
        assert c["expected_object"]["sha256"] == eicar["sha256"], c["file"]
    files = [os.path.join(data, "pcaps", c["file"]) for c in cases + extra]
    with tempfile.TemporaryDirectory() as tmp:
        lst = os.path.join(tmp, "eicar.sha256")
        with open(lst, "w") as f:
            f.write("# EICAR anti-virus test file (harmless by design)\n")
            f.write(eicar["sha256"] + "\n")
        rc, events, err = ewtest.run_pcap(files, "--hash", "sha256",
                                          "--hashlist", f"eicar={lst},category=test")
    if rc not in (0, 1):
        print(f"FAIL: edgeward pcap exited {rc}: {err.strip()[-2000:]}")
        return 1
    objects = {}
    matched = collections.defaultdict(set)
    for e in events:
        if e["event"] == "object":
            objects[e["id"]] = e
        elif e["event"] == "match":
            if e["hash"] == eicar["sha256"] and e["list"] == "eicar":
                matched[e["source"]].add(e["object"])
    found, misses = [], []
    for c, path in zip(cases + extra, files):
        ok = any(objects[i]["sha256"] == eicar["sha256"] and
                 objects[i]["size"] == eicar["size"] and
                 "gap" not in objects[i]["flags"] for i in matched[path])
        if c in extra:
            name = os.path.basename(c["file"])
            print(f"not counted {name} ({'found' if ok else 'not found'}): "
                  f"{NOT_BROWSER[name]}")
            continue
        (found if ok else misses).append(c)
    summary = [e for e in events if e["event"] == "summary"]
    if len(summary) != 1 or summary[0]["files"] != len(files):
        print(f"FAIL: expected one summary over {len(files)} files, got {summary}")
        return 1
    print(f"found {len(found)} of {len(cases)} (threshold {FOUND_MIN})")
    tiers = collections.Counter(c["tier"] for c in found)
    print("found by tier: " + ", ".join(f"{t}={tiers[t]}" for t in "ABC"))
    for c in misses:
        print(f"  miss {os.path.basename(c['file'])} tier {c['tier']} "
              f"{c['category']}: {c['request_uri']}")
    if len(found) < FOUND_MIN:
        print(f"FAIL: found {len(found)} < {FOUND_MIN}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
