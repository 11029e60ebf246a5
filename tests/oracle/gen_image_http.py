#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Writes a capture in which a client downloads the given files over HTTP.

Usage: tests/oracle/gen_image_http.py OUT.pcap URI=FILE[:CONTENT-TYPE]...

One TCP connection per file (handshake, GET, 200 with Content-Length, the
body in 1400-byte segments, FIN), Ethernet link type. Deterministic (fixed
addresses, ports and times). Needs python3-scapy (Debian), hence
/usr/bin/python3; the files are benign test images from the shared test
data, never real list entries."""
import sys

from scapy.all import IP, TCP, Ether, Raw, wrpcap

T0 = 1764300000.0
CLIENT, SERVER = "10.9.0.2", "10.9.0.1"
MSS = 1400


def flow(n, uri, body, ctype):
    """Packets of one download on connection n."""
    sport, t = 40000 + n, T0 + n * 10
    cseq, sseq = 1000 + n * 100000, 5000000 + n * 100000
    req = (f"GET {uri} HTTP/1.1\r\nHost: images.test\r\n"
           "Connection: close\r\n\r\n").encode()
    head = (f"HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    c = Ether() / IP(src=CLIENT, dst=SERVER)
    s = Ether() / IP(src=SERVER, dst=CLIENT)
    pk = [c / TCP(sport=sport, dport=80, flags="S", seq=cseq),
          s / TCP(sport=80, dport=sport, flags="SA", seq=sseq, ack=cseq + 1),
          c / TCP(sport=sport, dport=80, flags="A", seq=cseq + 1, ack=sseq + 1),
          c / TCP(sport=sport, dport=80, flags="PA", seq=cseq + 1, ack=sseq + 1) / Raw(req)]
    cseq += 1 + len(req)
    sseq += 1
    data = head + body
    for off in range(0, len(data), MSS):
        pk.append(s / TCP(sport=80, dport=sport, flags="PA", seq=sseq + off, ack=cseq)
                  / Raw(data[off:off + MSS]))
    sseq += len(data)
    pk.append(s / TCP(sport=80, dport=sport, flags="FA", seq=sseq, ack=cseq))
    pk.append(c / TCP(sport=sport, dport=80, flags="FA", seq=cseq, ack=sseq + 1))
    pk.append(s / TCP(sport=80, dport=sport, flags="A", seq=sseq + 1, ack=cseq + 1))
    for i, p in enumerate(pk):
        p.time = t + i * 0.001
    return pk


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    pkts = []
    for n, spec in enumerate(sys.argv[2:]):
        uri, _, rest = spec.partition("=")
        path, _, ctype = rest.partition(":")
        with open(path, "rb") as f:
            pkts += flow(n, uri, f.read(), ctype or "application/octet-stream")
    wrpcap(sys.argv[1], pkts)


if __name__ == "__main__":
    main()
