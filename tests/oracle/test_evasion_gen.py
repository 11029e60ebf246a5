#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Oracle: generated TCP/HTTP evasion captures (tests/oracle/gen_evasion.py).

The generator writes captures (one-byte segments, reversed order,
conflicting overlaps, retransmissions with different bytes, chunk
extensions, gzip inside chunked, pipelining across segment boundaries, many
segments, IPv6, VLAN, gaps, sequence wrap-around) and a manifest whose
expected hashes it computes from the bytes it sent, under the reassembler's
documented first-wins overlap policy -- not from edgeward's output. For
each capture, `edgeward pcap` must report exactly the manifest's objects, in
stream order: kind, method, host, URI, status, decoded and wire sizes,
MD5/SHA-1/SHA-256 (null where not every byte was seen), the wire SHA-256,
(for gapped objects the sizes are bounded, see check_object),
every flag in `flags` set and every flag in `not_flags` clear, and the
reassembler's conflict and gap counters.
"""
import os
import sys

import ewtest

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "gen_evasion.py")


def flagname(f):
    return f.replace("-", "_")	# manifest "decode-error", log "decode_error"


def check_object(want, got):
    problems = []
    exact = ["kind", "method", "host", "uri", "status", "md5", "sha1", "sha256"]
    if want.get("sha256") is None:
        # A gapped object: the manifest gives the body length the sender
        # declared; the log's size counts the bytes that arrived before the
        # hole (docs/log-schema.md), so it can only be smaller.
        for k in ("size", "wire_size"):
            if k in want and not 0 <= got.get(k, -1) < want[k]:
                problems.append(f"{k}: want < {want[k]}, got {got.get(k)!r}")
    else:
        exact += ["size", "wire_size"]
    for k in exact:
        if k in want and want[k] != got.get(k):
            problems.append(f"{k}: want {want[k]!r}, got {got.get(k)!r}")
    if "wire_sha256" in want:
        wire = got["wire"]["sha256"] if got.get("wire") else got["sha256"]
        if want["wire_sha256"] != wire:
            problems.append(f"wire sha256: want {want['wire_sha256']}, got {wire}")
    flags = set(got["flags"])
    for f in want.get("flags", []):
        if flagname(f) not in flags:
            problems.append(f"flag {f} not set (flags {sorted(flags)})")
    for f in want.get("not_flags", []):
        if flagname(f) in flags:
            problems.append(f"flag {f} set (flags {sorted(flags)})")
    return problems


def check_capture(path, cap):
    rc, events, err = ewtest.run_pcap([path], "--hash", "md5,sha1,sha256")
    if rc != 0:
        return [f"exit status {rc}: {err.strip()[-500:]}"]
    objs = [e for e in events if e["event"] == "object" and e["kind"] != "assembled"]
    objs.sort(key=lambda e: (e["flow"]["id"] if e["flow"] else 0, e["seq"],
                             e["kind"] != "request", e["id"]))
    want = cap["objects"]
    problems = []
    if len(objs) != len(want):
        problems.append(f"{len(objs)} objects, want {len(want)}: "
                        + ", ".join(f"{o['kind']} {o['uri']} {o['size']}" for o in objs))
    for i, (w, g) in enumerate(zip(want, objs)):
        problems += [f"object {i} ({w.get('uri')}): {p}" for p in check_object(w, g)]
    summary = [e for e in events if e["event"] == "summary"][0]
    for k, v in cap.get("reasm", {}).items():
        if summary["tcp"].get(k) != v:
            problems.append(f"reasm {k}: want {v}, got {summary['tcp'].get(k)}")
    return problems


def main():
    return ewtest.run_generated(GEN, check_capture, "generated captures")


if __name__ == "__main__":
    sys.exit(main())
