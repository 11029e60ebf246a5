#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The engine's determinism promise: for every capture in ../shared/testdata
(HTTP objects, the evader set, the nDPI captures), `edgeward pcap` writes the
same bytes with --workers 1, 2 and 4: the same events, ids and order, and the
same summary, and the same "flow" events with nDPI's classification in
the same places (each worker has its own nDPI module). Also with PDQ on (images hashed in each worker's sandbox, and
stitched ones in the merger), with lists that match, over all files of a set
in one run (flows and ranges across files), and for `edgeward streams`.

Also checks that the comparison is not of empty outputs: objects and
classified flows were found."""
import glob
import os
import subprocess
import sys

import ewtest

failures = []


def expect(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)
        if detail:
            print("       " + str(detail)[:600])


def run(cmd, files, *args):
    p = subprocess.run([ewtest.edgeward(), cmd, *files, *args], capture_output=True,
                       timeout=600)
    return p.returncode, p.stdout


def same_for_all(cmd, files, *args):
    """Runs with 1, 2 and 4 workers; returns (all equal, rc, output of 1,
    the first differing line)."""
    rc1, out1 = run(cmd, files, "--workers", "1", *args)
    for n in ("2", "4"):
        rc, out = run(cmd, files, "--workers", n, *args)
        if rc != rc1 or out != out1:
            a, b = out1.splitlines(), out.splitlines()
            diff = next((f"line {i + 1}: {x[:200]!r} != {y[:200]!r}"
                         for i, (x, y) in enumerate(zip(a, b)) if x != y),
                        f"{len(a)} lines != {len(b)} lines, rc {rc1} != {rc}")
            return False, rc1, out1, f"--workers {n}: {diff}"
    return True, rc1, out1, ""


def main():
    td = ewtest.testdata()
    sets = {
        "http": sorted(glob.glob(os.path.join(td, "pcaps", "http", "*.pcap*"))),
        "evader": sorted(glob.glob(os.path.join(td, "pcaps", "evader", "*.pcap"))),
        "ndpi": sorted(glob.glob(os.path.join(td, "ndpi", "pcaps", "*.pcap*"))),
    }
    lists = ["--hashlist", "s=" + os.path.join(ewtest.repo_root(), "policies", "lists",
                                               "sample-sha256.txt"), "--pdq"]
    per_file_bad = []
    objects = 0
    flows = {}
    for name, files in sets.items():
        expect(f"{name}: captures found", len(files) > 10, len(files))
        for f in files:
            ok, rc, out, diff = same_for_all("pcap", [f], *lists)
            objects += out.count(b'"event":"object"')
            flows[name] = flows.get(name, 0) + out.count(b'"event":"flow"')
            if not ok:
                per_file_bad.append(f"{os.path.basename(f)}: {diff}")
        ok, rc, out, diff = same_for_all("pcap", files, *lists)
        expect(f"{name}: all files in one run, identical for 1, 2, 4 workers", ok, diff)
        ok, rc, out, diff = same_for_all("streams", files)
        expect(f"{name}: streams identical for 1, 2, 4 workers", ok, diff)
    expect("every capture alone: identical for 1, 2, 4 workers", not per_file_bad,
           "; ".join(per_file_bad[:5]))
    expect("objects were found", objects > 400, objects)
    expect("flow events were found in every set", all(flows.get(n) for n in sets), flows)
    expect("nDPI flow events: as many as ndpiReader's TCP/UDP flows, about",
           flows.get("ndpi", 0) >= 300, flows.get("ndpi"))
    if failures:
        print(f"{len(failures)} failed")
        sys.exit(1)


if __name__ == "__main__":
    main()
