#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""DNS over TCP the way an evading client sends it, for test_dns.sh.

  dnstcp.py SERVER [--bind ADDR] [--udp] [--split] [--pause S] NAME:TYPE:ID ...

Writes the queries (EDNS, DO clear, RD) on one TCP connection with
TCP_NODELAY and reads one answer per query. --split sends each query as
its 2-byte length prefix, a pause, the message up to the middle of its
name's first label, a pause, the rest; without it all queries go in one
write (pipelined, RFC 7766). --udp asks each over UDP instead. Prints one
line per answer, in the order they came:

  id=ID rcode=N addrs=A,B hex=MESSAGE ede=CODE:TEXT (or none; the rest of the line)
"""
import argparse
import socket
import struct
import sys
import time

TYPES = {"A": 1, "AAAA": 28, "MX": 15}


def query(name, qtype, qid):
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 1)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack(">HH", TYPES[qtype], 1)
    return q + b"\0" + struct.pack(">HHIH", 41, 1232, 0, 0)  # OPT, no options


def skip_name(m, i):
    while m[i]:
        if m[i] >= 0xC0:
            return i + 2
        i += 1 + m[i]
    return i + 1


def describe(m):
    qid, flags, qd, an, ns, ar = struct.unpack(">HHHHHH", m[:12])
    i = 12
    for _ in range(qd):
        i = skip_name(m, i) + 4
    addrs, ede = [], "none"
    for n in range(an + ns + ar):
        i = skip_name(m, i)
        rtype, _, _, rdlen = struct.unpack(">HHIH", m[i:i + 10])
        rd = m[i + 10:i + 10 + rdlen]
        if n < an and rtype in (1, 28):
            fam = socket.AF_INET if rtype == 1 else socket.AF_INET6
            addrs.append(socket.inet_ntop(fam, rd))
        if rtype == 41:
            j = 0
            while j + 4 <= len(rd):
                code, olen = struct.unpack(">HH", rd[j:j + 4])
                if code == 15:
                    info = struct.unpack(">H", rd[j + 4:j + 6])[0]
                    ede = "%d:%s" % (info, rd[j + 6:j + 4 + olen].decode())
                j += 4 + olen
        i += 10 + rdlen
    return "id=%d rcode=%d addrs=%s hex=%s ede=%s" % (
        qid, flags & 0xF, ",".join(addrs) or "-", m.hex(), ede)


def read_n(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError("connection ended after %d of %d bytes" % (len(b), n))
        b += c
    return b


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("server")
    ap.add_argument("--bind")
    ap.add_argument("--udp", action="store_true")
    ap.add_argument("--split", action="store_true")
    ap.add_argument("--pause", type=float, default=0.2)
    ap.add_argument("queries", nargs="+")
    a = ap.parse_args()
    fam = socket.AF_INET6 if ":" in a.server else socket.AF_INET
    qs = []
    for spec in a.queries:
        name, qtype, qid = spec.split(":")
        qs.append((name, query(name, qtype, int(qid))))
    if a.udp:
        for name, q in qs:
            s = socket.socket(fam, socket.SOCK_DGRAM)
            s.settimeout(3)
            if a.bind:
                s.bind((a.bind, 0))
            s.sendto(q, (a.server, 53))
            print(describe(s.recv(4096)))
            s.close()
        return
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if a.bind:
        s.bind((a.bind, 0))
    s.connect((a.server, 53))
    if a.split:
        for name, q in qs:
            cut = 12 + 1 + max(1, len(name.split(".")[0]) // 2)  # inside the first label
            for part in (struct.pack(">H", len(q)), q[:cut], q[cut:]):
                s.sendall(part)
                time.sleep(a.pause)
    else:
        s.sendall(b"".join(struct.pack(">H", len(q)) + q for _, q in qs))
    for _ in qs:
        n = struct.unpack(">H", read_n(s, 2))[0]
        print(describe(read_n(s, n)))
    s.close()


if __name__ == "__main__":
    try:
        main()
    except (OSError, EOFError) as e:
        print("dnstcp.py: %s" % e, file=sys.stderr)
        sys.exit(1)
