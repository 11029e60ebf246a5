#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""nDPI classification against nDPI 4.2's own results. For every capture of
../shared/testdata/ndpi, `edgeward pcap` writes a "flow" event per flow;
each TCP/UDP flow that ndpiReader 4.2 lists in expected_flows.tsv (columns
ndpi42_proto, ndpi42_category, ndpi42_host_or_sni; see MANIFEST.md) must
have an event with the same endpoints whose "ndpi" protocol, category and
server_name equal them. Two kinds of ndpiReader's flows are not ours, and
are counted, not compared: ICMP, ICMPv6 and IGMP flows (the engine's flows
are TCP and UDP), and TCP flows that carry no payload and no SYN (the ends
of connections begun before the capture: bare ACKs, FINs and RSTs open no
flow in the reassembler, docs/reassembly.md; ndpiReader shows them with a
goodput of 0/0 and a guess by port). KNOWN lists the flows edgeward
cannot see, with the reason; they are reported, not failed. A flow of any
other kind without an event fails. Confidence is compared too and reported, not required.

Exits 77 when the test data is absent."""
import csv
import ipaddress
import os
import re
import sys

import ewtest


# (capture, ndpiReader flow number) -> why edgeward has no such flow
KNOWN = {
    ("http_origin_different_than_host.pcap", "1"):
        "inside a GTP-U tunnel (UDP 2152), which ndpiReader decapsulates and "
        "capture/packet.c does not: the flow is the tunnel's",
}


def endpoint(s):
    """'1.2.3.4:80' or '[::1]:80' -> ('1.2.3.4', 80)."""
    host, _, port = s.rpartition(":")
    return ipaddress.ip_address(host.strip("[]")), int(port)


def flow_key(l4, a, b):
    return l4.lower(), frozenset((a, b))


def expected_flows(td):
    path = os.path.join(td, "ndpi", "expected_flows.tsv")
    if not os.path.isfile(path):
        print(f"skipped: no nDPI test data at {os.path.dirname(path)}")
        sys.exit(ewtest.SKIP)
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def payloadless(td, pcap):
    """ndpiReader's flow numbers of pcap that carried no payload."""
    out = os.path.join(td, "ndpi", "ndpiReader-4.2", pcap + ".out")
    flows = set()
    with open(out, errors="replace") as f:
        for line in f:
            m = re.match(r"\t(\d+)\t(TCP|UDP) ", line)
            if m and "[Goodput ratio: 0/0]" in line:
                flows.add(m.group(1))
    return flows


def our_flows(path):
    rc, events, err = ewtest.run_pcap([path], "--hash", "sha256")
    if rc == 2:
        print(f"FAIL: edgeward pcap {path} exited 2: {err.strip()[:300]}")
        sys.exit(1)
    flows = {}
    for e in events:
        if e["event"] != "flow":
            continue
        k = flow_key(e["proto"], (ipaddress.ip_address(e["client"]), e["client_port"]),
                     (ipaddress.ip_address(e["server"]), e["server_port"]))
        flows.setdefault(k, []).append(e)
    summary = [e for e in events if e["event"] == "summary"][0]
    return flows, summary


def same(want, got):
    """The differing fields of a flow, as text ('' when equal)."""
    n = got["ndpi"] or {}
    cat = n.get("category", "")
    cat = "" if cat == "Unspecified" else cat  # ndpiReader prints no category then
    diffs = []
    for field, w, g in (("protocol", want["ndpi42_proto"], n.get("protocol")),
                        ("category", want["ndpi42_category"], cat),
                        ("server_name", want["ndpi42_host_or_sni"], n.get("server_name"))):
        if w != g:
            diffs.append(f"{field} {g!r} (nDPI 4.2: {w!r})")
    return "; ".join(diffs)


def main():
    td = ewtest.testdata()
    rows = expected_flows(td)
    by_pcap = {}
    for r in rows:
        by_pcap.setdefault(r["pcap"], []).append(r)
    total = equal = skipped = empty = conf_equal = capped = 0
    bad = []
    for pcap, want in sorted(by_pcap.items()):
        flows, summary = our_flows(os.path.join(td, "ndpi", "pcaps", pcap))
        no_payload = payloadless(td, pcap)
        capped += summary["ndpi"]["capped"]
        for w in want:
            if w["l4"] not in ("TCP", "UDP"):
                skipped += 1
                continue
            total += 1
            k = flow_key(w["l4"], endpoint(w["endpoint_a"]), endpoint(w["endpoint_b"]))
            got = flows.get(k)
            if not got and w["flow"] in no_payload and w["l4"] == "TCP":
                empty += 1
                continue
            if not got and (pcap, w["flow"]) in KNOWN:
                print(f"known {pcap} flow {w['flow']}: {KNOWN[(pcap, w['flow'])]}")
                empty += 1
                continue
            if not got:
                bad.append(f"{pcap} flow {w['flow']} {w['endpoint_a']} {w['dir']} "
                           f"{w['endpoint_b']}: no flow event")
                continue
            diff = same(w, got[0])
            if diff:
                bad.append(f"{pcap} flow {w['flow']} {w['endpoint_a']} {w['dir']} "
                           f"{w['endpoint_b']}: {diff}")
            else:
                equal += 1
            conf_equal += got[0]["ndpi"]["confidence"] == w["ndpi42_confidence"]
    for b in bad:
        print("FAIL " + b)
    print(f"flows equal to nDPI 4.2: {equal}/{total - empty} TCP/UDP flows with an event; "
          f"{len(rows)} flows in all: {skipped} ICMP/IGMP flows and {empty} TCP flows "
          f"without payload or SYN or in a tunnel are not ours; confidence equal {conf_equal}/{total - empty}; "
          f"detections ended by the packet cap: {capped}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
