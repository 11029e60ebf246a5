#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Oracle: generated HTTP framing evasions (tests/oracle/gen_framing.py).

The generator writes one capture per case (chunk lines ended by CR or LF
alone, odd whitespace and signs around chunk sizes, Content-Length values
that are not one clean number, bytes before the status line and between
messages, bare-LF heads, obs-fold, header names with spaces or NULs,
duplicate and ignored Transfer-Encoding, TE with CL, extensions and
trailers, 1xx, HTTP/0.9) and every reading of each body, computed from the
bytes it sends by the rules of docs/http.md. For each capture `edgeward
pcap` must write exactly those objects (any order): URI, reading name,
alternate or not, size, SHA-256, complete or truncated; the body the most
lenient client keeps must be among them; and the summary's http members
the case names (alt_refused ...) must match.
"""
import os
import sys

import ewtest

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "gen_framing.py")


def key(o):
    return (o["uri"], o["reading"], o["alternate"], o["size"], o["sha256"],
            o["complete"])


def got_objects(events):
    out = []
    for e in events:
        if e["event"] != "object":
            continue
        out.append({"uri": e["uri"], "reading": e.get("reading"),
                    "alternate": e.get("alternate", False), "size": e["size"],
                    "sha256": e["sha256"], "complete": "complete" in e["flags"]})
    return out


def check_capture(path, cap):
    rc, events, err = ewtest.run_pcap([path], "--hash", "sha256")
    if rc != 0:
        return [f"exit status {rc}: {err.strip()[-500:]}"]
    got = sorted(key(o) for o in got_objects(events))
    want = sorted(key(o) for o in cap["objects"])
    problems = []
    for o in want:
        if o not in got:
            problems.append("missing %s reading %s%s: %d bytes %s complete=%s" % (
                o[0], o[1], " (alternate)" if o[2] else "", o[3], o[4][:16], o[5]))
    for o in got:
        if o not in want:
            problems.append("unexpected %s reading %s%s: %d bytes %s complete=%s" % (
                o[0], o[1], " (alternate)" if o[2] else "", o[3], o[4][:16], o[5]))
    lenient = [key(o) for o in cap["objects"] if o["lenient"]]
    if len(lenient) != 1 or lenient[0] not in got:
        problems.append("the lenient client's body is not among the objects")
    summary = [e for e in events if e["event"] == "summary"][0]["http"]
    for k, v in cap["http"].items():
        if summary.get(k) != v:
            problems.append(f"summary http.{k}: want {v}, got {summary.get(k)}")
    return problems


def main():
    return ewtest.run_generated(GEN, check_capture, "generated framing cases")


if __name__ == "__main__":
    sys.exit(main())
