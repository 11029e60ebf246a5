#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Reads and writes edgeward's pinned maps through bpftool, for the e2e tests.

Independent of the agent: it builds map keys and values from include/ew_abi.h's
layout itself, so a test can check the agent against the kernel's own state.

  ewmap.py counter NAME [packets|bytes]   sum of EW_C_NAME over all CPUs
  ewmap.py rulehits RULE_ID [packets|bytes]
                                          counted for a blocklist rule
  ewmap.py heartbeat                      the agent's last heartbeat (ns), 0 if none
  ewmap.py blockrule ADDR                 rule id of the longest blocked prefix
                                          covering ADDR (either direction), or none
  ewmap.py flowkey SRC SPORT DST DPORT PROTO
                                          the canonical ew_flow_key, as hex
  ewmap.py verdict SRC SPORT DST DPORT PROTO ACTION [RULE_ID]
                                          insert a flow verdict (block|allow|inspect|reset)
  ewmap.py getverdict SRC SPORT DST DPORT PROTO
                                          print the action stored for a flow, or none
"""
import ipaddress
import json
import os
import re
import socket
import struct
import subprocess
import sys

PIN = os.environ.get("EDGEWARD_PIN_DIR") or "/sys/fs/bpf/edgeward"
ABI = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../include/ew_abi.h")
ACTIONS = {"none": 0, "block": 1, "allow": 2, "inspect": 3, "reset": 4}
PROTOS = {"tcp": socket.IPPROTO_TCP, "udp": socket.IPPROTO_UDP,
          "icmp": socket.IPPROTO_ICMP, "icmp6": socket.IPPROTO_ICMPV6}


def counter_index(name):
    """Position of EW_C_<name> in enum ew_counter_num, read from the ABI header."""
    text = open(ABI).read()
    body = re.search(r"enum ew_counter_num \{(.*?)\};", text, re.S).group(1)
    names = re.findall(r"^\s*(EW_C_\w+)", body, re.M)
    want = "EW_C_" + name.upper()
    if want not in names:
        sys.exit("ewmap: no counter %s in %s" % (want, ABI))
    return names.index(want)


def bpftool(*args):
    out = subprocess.run(["bpftool", "-j"] + list(args), check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def hexbytes(data):
    return ["0x%02x" % b for b in data]


def value_bytes(entry):
    """Raw bytes of a bpftool JSON value (list of "0x.." strings)."""
    return bytes(int(x, 16) for x in entry)


def percpu_sum(mapname, index):
    """Sum the two __u64 fields (packets, bytes) of a per-CPU array slot."""
    res = bpftool("map", "lookup", "pinned", os.path.join(PIN, mapname),
                  "key", *hexbytes(struct.pack("<I", index)))
    pkts = byts = 0
    for cpu in res["values"]:
        p, b = struct.unpack("<QQ", value_bytes(cpu["value"])[:16])
        pkts += p
        byts += b
    return pkts, byts


def addr16(text):
    a = ipaddress.ip_address(text)
    if a.version == 4:
        return b"\0" * 10 + b"\xff\xff" + a.packed, 4
    return a.packed, 6


def flow_key(src, sport, dst, dport, proto):
    """struct ew_flow_key: the lower (addr16, port) bytewise goes first."""
    sa, fam = addr16(src)
    da, fam2 = addr16(dst)
    if fam != fam2:
        sys.exit("ewmap: %s and %s are of different families" % (src, dst))
    a = sa + struct.pack("!H", int(sport))
    b = da + struct.pack("!H", int(dport))
    lo, hi = (a, b) if a <= b else (b, a)
    p = PROTOS[proto] if proto in PROTOS else int(proto)
    return lo[:16] + hi[:16] + lo[16:] + hi[16:] + struct.pack("BB2x", p, fam)


def table_prefixes(version):
    """Every (network, rule id) in the family's pinned prefix table, read
    slot by slot from a dump of the table in use (no hashing: independent
    of how edgeward places them)."""
    try:
        res = bpftool("map", "lookup", "pinned", os.path.join(PIN, "ew_ptcls_v1"),
                      "key", *hexbytes(struct.pack("<I", version == 6)))
    except subprocess.CalledProcessError:
        return []
    cls = struct.unpack("<I", value_bytes(res["value"])[:4])[0]
    if not cls:
        return []
    res = bpftool("map", "lookup", "pinned", os.path.join(PIN, "ew_pt%dc%d_v1" % (version, cls)),
                  "key", *hexbytes(struct.pack("<I", 0)))
    inner = struct.unpack("<I", value_bytes(res["value"])[:4])[0]
    # struct ew_pt4_bucket: ovf, pad, addr[7] (4 B each), meta[7];
    # struct ew_pt6_bucket: ovf, pad, addr[6] (16 B each), meta[6];
    # meta: prefix length + 1 in bits 0-7 (0: free), flags 8-9, rule id 10-31
    alen, slots = (4, 7) if version == 4 else (16, 6)
    out = []
    for el in bpftool("map", "dump", "id", str(inner)):
        if struct.unpack("<I", value_bytes(el["key"]))[0] == 0:
            continue  # the head
        val = value_bytes(el["value"])
        metas = struct.unpack_from("<%dI" % slots, val, 8 + slots * alen)
        for s, meta in enumerate(metas):
            if meta & 0xff:
                addr = ipaddress.ip_address(val[8 + s * alen:8 + (s + 1) * alen])
                out.append((ipaddress.ip_network("%s/%d" % (addr, (meta & 0xff) - 1)), meta >> 10))
    return out


def block_rule(a):
    """The rule id of the longest blocked prefix covering a, or "none"."""
    hits = [(net.prefixlen, rule) for net, rule in table_prefixes(a.version) if a in net]
    return max(hits)[1] if hits else "none"


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == "counter":
        pkts, byts = percpu_sum("ew_counters_v1", counter_index(args[0]))
        print(byts if len(args) > 1 and args[1] == "bytes" else pkts)
    elif cmd == "rulehits":
        pkts, byts = percpu_sum("ew_rulehits_v1", int(args[0]))
        print(byts if len(args) > 1 and args[1] == "bytes" else pkts)
    elif cmd == "heartbeat":
        try:
            res = bpftool("map", "lookup", "pinned", os.path.join(PIN, "ew_config_v2"),
                          "key", *hexbytes(struct.pack("<I", 0)))
        except (subprocess.CalledProcessError, FileNotFoundError):
            print(0)
            return
        print(struct.unpack("<Q", value_bytes(res["value"])[:8])[0])
    elif cmd == "blockrule":
        print(block_rule(ipaddress.ip_address(args[0])))
    elif cmd == "flowkey":
        print(" ".join(hexbytes(flow_key(*args[:5]))))
    elif cmd == "verdict":
        key = flow_key(*args[:5])
        rule = int(args[6]) if len(args) > 6 else 0
        # struct ew_verdict: expires_ns 0 (never), rule_id, mirror_budget, action
        val = struct.pack("<QIHBx", 0, rule, 0, ACTIONS[args[5]])
        subprocess.run(["bpftool", "map", "update", "pinned",
                        os.path.join(PIN, "ew_flows_v1"), "key", *hexbytes(key),
                        "value", *hexbytes(val)], check=True)
    elif cmd == "getverdict":
        key = flow_key(*args[:5])
        try:
            res = bpftool("map", "lookup", "pinned", os.path.join(PIN, "ew_flows_v1"),
                          "key", *hexbytes(key))
        except subprocess.CalledProcessError:
            print("none")
            return
        act = value_bytes(res["value"])[14]
        print({v: k for k, v in ACTIONS.items()}.get(act, act))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
