#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Writes the built-in sample capture for `make demo` and its synthetic list.

Usage: make_sample_pcap.py DIR
  DIR/sample-http.pcap    one keep-alive HTTP/1.1 connection: a generated
                          64x64 PNG (benign noise), the same PNG gzip-encoded
                          and chunked, a text page, a second PNG split into
                          two Range/206 responses, and a third PNG sent as a
                          multipart/byteranges response of two parts plus a
                          206 for the rest
  DIR/sample.sha256       synthetic list: the SHA-256 of the three (whole)
                          PNGs, plus two made-up values

Deterministic (fixed seed), stdlib only. The outputs are committed; rerun
the script to regenerate them.
"""
import gzip
import hashlib
import os
import random
import struct
import sys
import zlib


def png(w, h, rng):
    raw = b"".join(b"\0" + rng.randbytes(w * 3) for _ in range(h))

    def chunk(t, d):
        return (struct.pack(">I", len(d)) + t + d +
                struct.pack(">I", zlib.crc32(t + d) & 0xffffffff))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


class Pcap:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.t = 1_795_000_000
        self.us = 0
        self.f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))

    def tcp(self, src, dst, sp, dp, seq, ack, flags, payload=b""):
        tcp = struct.pack("!HHIIBBHHH", sp, dp, seq & 0xffffffff,
                          ack & 0xffffffff, 5 << 4, flags, 65535, 0, 0)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40 + len(payload), 0,
                         0x4000, 64, 6, 0, src, dst)
        s = sum(struct.unpack("!10H", ip))
        s = (s & 0xffff) + (s >> 16)
        ip = ip[:10] + struct.pack("!H", ~s & 0xffff) + ip[12:]
        frame = (b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + tcp +
                 payload)
        self.us += 1000
        self.f.write(struct.pack("<IIII", self.t + self.us // 1000000,
                                 self.us % 1000000, len(frame), len(frame)))
        self.f.write(frame)


def chunked(body, size):
    out = b""
    for i in range(0, len(body), size):
        part = body[i:i + size]
        out += b"%x\r\n" % len(part) + part + b"\r\n"
    return out + b"0\r\n\r\n"


def main():
    d = sys.argv[1]
    rng = random.Random(7)
    img1, img2, img3 = png(64, 64, rng), png(48, 40, rng), png(40, 40, rng)
    text = b"<html><body>edgeward sample page</body></html>\n"
    half = len(img2) // 2
    etag = b'"sample-2"'
    t3 = len(img3)
    a, b = t3 // 3, 2 * t3 // 3
    parts = (b"--SEP\r\nContent-Type: image/png\r\nContent-Range: bytes 0-%d/%d\r\n"
             b"\r\n" % (a - 1, t3) + img3[:a] + b"\r\n--SEP\r\nContent-Type: image/png"
             b"\r\nContent-Range: bytes %d-%d/%d\r\n\r\n" % (a, b - 1, t3) + img3[a:b] +
             b"\r\n--SEP--\r\n")
    exchanges = [
        (b"/images/one.png", b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n"
         b"Content-Length: %d\r\n\r\n" % len(img1) + img1),
        (b"/images/one-again.png", b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n"
         b"Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n" +
         chunked(gzip.compress(img1, mtime=0), 700)),
        (b"/index.html", b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
         b"Content-Length: %d\r\n\r\n" % len(text) + text),
        (b"/images/two.png", b"HTTP/1.1 206 Partial Content\r\n"
         b"Content-Type: image/png\r\nETag: " + etag + b"\r\n"
         b"Content-Range: bytes 0-%d/%d\r\nContent-Length: %d\r\n\r\n"
         % (half - 1, len(img2), half) + img2[:half]),
        (b"/images/two.png", b"HTTP/1.1 206 Partial Content\r\n"
         b"Content-Type: image/png\r\nETag: " + etag + b"\r\n"
         b"Content-Range: bytes %d-%d/%d\r\nContent-Length: %d\r\n\r\n"
         % (half, len(img2) - 1, len(img2), len(img2) - half) + img2[half:]),
        (b"/images/three.png", b"HTTP/1.1 206 Partial Content\r\n"
         b"Content-Type: multipart/byteranges; boundary=SEP\r\n"
         b"Last-Modified: Sat, 28 Nov 2026 10:00:00 GMT\r\n"
         b"Content-Length: %d\r\n\r\n" % len(parts) + parts),
        (b"/images/three.png", b"HTTP/1.1 206 Partial Content\r\n"
         b"Content-Type: image/png\r\n"
         b"Last-Modified: Sat, 28 Nov 2026 10:00:00 GMT\r\n"
         b"Content-Range: bytes %d-%d/%d\r\nContent-Length: %d\r\n\r\n"
         % (b, t3 - 1, t3, t3 - b) + img3[b:]),
    ]
    p = Pcap(os.path.join(d, "sample-http.pcap"))
    cli, srv, cp, sp = bytes([192, 0, 2, 10]), bytes([198, 51, 100, 80]), 40000, 80
    cs, ss = 1000, 5000
    p.tcp(cli, srv, cp, sp, cs, 0, 0x02)
    p.tcp(srv, cli, sp, cp, ss, cs + 1, 0x12)
    cs, ss = cs + 1, ss + 1
    p.tcp(cli, srv, cp, sp, cs, ss, 0x10)
    for uri, resp in exchanges:
        req = b"GET " + uri + b" HTTP/1.1\r\nHost: sample.example\r\n\r\n"
        p.tcp(cli, srv, cp, sp, cs, ss, 0x18, req)
        cs += len(req)
        for i in range(0, len(resp), 1448):
            p.tcp(srv, cli, sp, cp, ss, cs, 0x18, resp[i:i + 1448])
            ss += len(resp[i:i + 1448])
        p.tcp(cli, srv, cp, sp, cs, ss, 0x10)
    p.tcp(cli, srv, cp, sp, cs, ss, 0x11)
    p.tcp(srv, cli, sp, cp, ss, cs + 1, 0x11)
    p.tcp(cli, srv, cp, sp, cs + 1, ss + 1, 0x10)
    p.f.close()
    with open(os.path.join(d, "sample.sha256"), "w") as f:
        f.write("# Synthetic list for the edgeward demo: generated noise images.\n")
        f.write("# sample one.png\n" + hashlib.sha256(img1).hexdigest() + "\n")
        f.write("# made up\n" + "00" * 32 + "\n")
        f.write("# sample two.png (only ever sent as two Range pieces)\n")
        f.write(hashlib.sha256(img2).hexdigest() + "\n")
        f.write("# made up\n" + "ff" * 32 + "\n")
        f.write("# sample three.png (byteranges parts plus a Range piece)\n")
        f.write(hashlib.sha256(img3).hexdigest() + "\n")
    print(hashlib.sha256(img1).hexdigest(), len(img1))
    print(hashlib.sha256(img2).hexdigest(), len(img2))
    print(hashlib.sha256(img3).hexdigest(), len(img3))


if __name__ == "__main__":
    main()
