#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Writes a pcap of HTTP image downloads for the `edgeward pcap` benchmark.

Usage: gen_http_capture.py OUT.pcap [MEGABYTES]  (default 200)

Benign generated PNG images (random noise, so they do not compress) are
served over keep-alive connections, 8 responses each, in 1448-byte
segments, Ethernet/IPv4/TCP. Prints one JSON line: objects, payload bytes
(response bodies), packets. Stdlib only, so it runs fast enough for 200 MB.
"""
import json
import os
import random
import struct
import sys
import zlib

MSS = 1448
PER_CONN = 8


def png(w, h, rng):
    raw = b"".join(b"\0" + rng.randbytes(w * 3) for _ in range(h))

    def chunk(t, d):
        return (struct.pack(">I", len(d)) + t + d +
                struct.pack(">I", zlib.crc32(t + d) & 0xffffffff))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 1)) + chunk(b"IEND", b""))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


class Writer:
    def __init__(self, f):
        self.f = f
        self.t = 1_700_000_000.0
        self.packets = 0
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))

    def tcp(self, src, dst, sp, dp, seq, ack, flags, payload=b""):
        tcp = struct.pack("!HHIIBBHHH", sp, dp, seq & 0xffffffff,
                          ack & 0xffffffff, 5 << 4, flags, 65535, 0, 0)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload),
                         0, 0x4000, 64, 6, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        eth = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00"
        frame = eth + ip + tcp + payload
        self.t += 0.00001
        sec = int(self.t)
        self.f.write(struct.pack("<IIII", sec, int((self.t - sec) * 1e6),
                                 len(frame), len(frame)))
        self.f.write(frame)
        self.packets += 1


def connection(w, n, images, rng):
    cli, srv = bytes([10, 0, n >> 8 & 255, n & 255]), bytes([10, 1, 0, 1])
    cp, sp = 1024 + n % 60000, 80
    cs, ss = rng.getrandbits(32), rng.getrandbits(32)
    w.tcp(cli, srv, cp, sp, cs, 0, 0x02)
    w.tcp(srv, cli, sp, cp, ss, cs + 1, 0x12)
    cs += 1
    ss += 1
    w.tcp(cli, srv, cp, sp, cs, ss, 0x10)
    total = 0
    for i in range(PER_CONN):
        body = images[rng.randrange(len(images))]
        req = (f"GET /img/{n}/{i}.png HTTP/1.1\r\nHost: images.example\r\n"
               "\r\n").encode()
        w.tcp(cli, srv, cp, sp, cs, ss, 0x18, req)
        cs += len(req)
        resp = (f"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        for off in range(0, len(resp), MSS):
            seg = resp[off:off + MSS]
            w.tcp(srv, cli, sp, cp, ss, cs, 0x10, seg)
            ss += len(seg)
        w.tcp(cli, srv, cp, sp, cs, ss, 0x10)
        total += len(body)
    w.tcp(cli, srv, cp, sp, cs, ss, 0x11)
    w.tcp(srv, cli, sp, cp, ss, cs + 1, 0x11)
    w.tcp(cli, srv, cp, sp, cs + 1, ss + 1, 0x10)
    return total


def main():
    out = sys.argv[1]
    target = int(sys.argv[2] if len(sys.argv) > 2 else 200) << 20
    rng = random.Random(20261128)
    images = [png(rng.randrange(60, 300), rng.randrange(60, 300), rng)
              for _ in range(32)]
    payload = objects = n = 0
    with open(out, "wb") as f:
        w = Writer(f)
        while payload < target:
            n += 1
            payload += connection(w, n, images, rng)
            objects += PER_CONN
    print(json.dumps({"objects": objects, "payload_bytes": payload,
                      "packets": w.packets, "file_bytes": os.path.getsize(out)}))


if __name__ == "__main__":
    main()
