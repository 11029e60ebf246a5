#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Oracle for the reassembler: for every HTTP capture in the shared test
data, the byte streams `edgeward streams` reports per TCP connection and
direction must equal Wireshark's (`tshark -q -z follow,tcp,raw,N`, an
independent reassembler): the same bytes (length and SHA-256 of everything
delivered) and, where tshark marks "[N bytes missing in capture file]",
gaps adding up to the same N. No capture may have malformed frames.

The captures tests/oracle/gen_evasion.py writes (one-byte segments,
reversed order, conflicting overlaps, resends with other bytes, sequence
wrap, IPv6, VLAN, a lost segment ...) are checked the same way: tshark's
reassembly keeps the first copy of overlapping bytes too.

sv__bug-3286-02-linux-evasion also asserts why both agree there: edgeward
drops the forged segments before the SYN-ACK (1 by PAWS on the echoed
timestamp, 2 as invalid in SYN-SENT), which carry no payload for tshark to
show either.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ewtest  # noqa: E402

MISSING = re.compile(rb"^\[(\d+) bytes missing in capture file\]\x00?$")


def tshark_streams(path):
    """{((ip, port), (ip, port)): [(node0 pieces), (node1 pieces)]}; a piece
    is bytes or an int (a gap of that many bytes)."""
    out = subprocess.run(["tshark", "-n", "-r", path, "-T", "fields", "-e", "tcp.stream"],
                         capture_output=True, text=True, check=True).stdout
    ids = sorted({int(x) for x in out.split() if x})
    res = {}
    for s in ids:
        text = subprocess.run(["tshark", "-n", "-r", path, "-q", "-z", f"follow,tcp,raw,{s}"],
                              capture_output=True, text=True, check=True).stdout
        nodes, pieces = [], ([], [])
        for line in text.split("\n"):
            m = re.match(r"Node ([01]): (.*):(\d+)$", line)
            if m:
                nodes.append((m.group(2).strip("[]"), int(m.group(3))))
                continue
            if not re.fullmatch(r"\t?[0-9a-f]+", line):
                continue
            data = bytes.fromhex(line.strip())
            gap = MISSING.match(data)
            pieces[line.startswith("\t")].append(int(gap.group(1)) if gap else data)
        res[tuple(nodes)] = pieces
    return res


def flatten(pieces):
    """(bytes without gaps, total gap bytes, [(offset, gap length)])."""
    data, gaps = b"", []
    for p in pieces:
        if isinstance(p, int):
            gaps.append((len(data), p))
        else:
            data += p
    return data, sum(g for _, g in gaps), gaps


def check(path, flows, want):
    problems = []
    tcp = [f for f in flows if f["proto"] == "tcp"]
    if len(tcp) != len(want):
        problems.append(f"{len(tcp)} TCP flows, tshark has {len(want)}")
    for f in tcp:
        cli, srv = (f["client"], f["client_port"]), (f["server"], f["server_port"])
        key = (cli, srv) if (cli, srv) in want else (srv, cli)
        if key not in want:
            problems.append(f"flow {f['flow']} {cli}->{srv}: not in tshark's streams")
            continue
        node_of = {key[0]: 0, key[1]: 1}
        for d, who in (("c2s", cli), ("s2c", srv)):
            data, gap_bytes, _ = flatten(want[key][node_of[who]])
            got = f[d]
            if got["bytes"] != len(data) or got["gap_bytes"] != gap_bytes:
                problems.append(f"flow {f['flow']} {d}: {got['bytes']} bytes + {got['gap_bytes']} "
                                f"gap, tshark {len(data)} + {gap_bytes}")
            elif got["sha256"] != hashlib.sha256(data).hexdigest():
                problems.append(f"flow {f['flow']} {d}: SHA-256 differs from tshark's stream")
    return problems


def generated(tmp):
    """The generator's captures in tmp, or [] (said why) without scapy."""
    gen = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen_evasion.py")
    p = subprocess.run([gen, tmp], capture_output=True, text=True, timeout=300)
    if p.returncode:
        print(f"FAIL gen_evasion.py: exit {p.returncode}: {p.stderr.strip()[-300:]}")
        return None
    return sorted(os.path.join(tmp, f) for f in os.listdir(tmp) if f.endswith(".pcap"))


def main():
    data = ewtest.testdata()
    if not shutil.which("tshark"):
        print("skipped: tshark is not installed")
        return ewtest.SKIP
    edgeward = ewtest.edgeward()
    pdir = os.path.join(data, "pcaps", "http")
    files = sorted(os.path.join(pdir, f) for f in os.listdir(pdir))
    with tempfile.TemporaryDirectory() as tmp:
        gen = generated(tmp)
        if gen is None:
            return 1
        return run_all(edgeward, files + gen)


def run_all(edgeward, files):
    failed = 0
    for path in files:
        p = subprocess.run([edgeward, "streams", path], capture_output=True, text=True,
                           timeout=300)
        lines = [json.loads(x) for x in p.stdout.splitlines()]
        flows = [x for x in lines if x["event"] == "flow"]
        summary = [x for x in lines if x["event"] == "summary"][0]
        problems = [] if p.returncode == 0 else [f"exit {p.returncode}: {p.stderr.strip()}"]
        problems += check(path, flows, tshark_streams(path))
        if summary["malformed"]:
            problems.append(f"malformed frames: {summary['first_malformed']}")
        if "3286-02" in path and (summary["tcp"]["drops"]["paws"] != 1 or
                                  summary["tcp"]["drops"]["handshake"] != 2):
            problems.append(f"PAWS/handshake drops: {summary['tcp']['drops']}")
        name = os.path.basename(path)
        if problems:
            failed += 1
            print(f"FAIL {name}")
            for m in problems:
                print(f"       {m}")
        else:
            print(f"ok   {name}: {len(flows)} flows, "
                  f"{sum(f['c2s']['bytes'] + f['s2c']['bytes'] for f in flows)} bytes, "
                  f"{summary['tcp']['gaps']} gaps")
    print(f"{len(files) - failed} of {len(files)} captures (shared and generated) "
          "reassemble as tshark does")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
