#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compares edgeward's mirror (pcapng from `edgeward run --pcap-out`) with
tcpdump captures of the same traffic, packet by packet and byte for byte.

  pcapcmp.py [--cap N] MIRROR CAP_C2S CAP_S2C SERVER_PORT

CAP_C2S is a capture on the client-facing interface (its client-to-server
packets are that interface's ingress), CAP_S2C on the server-facing one. The
TCP flows to SERVER_PORT (v4 or v6) must be the same in the mirror and the
captures, and each direction of each flow is compared in order: the same
number of packets, each mirrored packet's original length equal to the
captured one, its bytes equal to the captured packet's first bytes, and its
length min(orig, N) when --cap is given. Reads pcap and pcapng itself (no
scapy), so what it checks is exactly what is on disk. Exit 0 when equal; 1
with the first difference otherwise.
"""
import ipaddress
import struct
import sys


def read_pcap(data):
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    off = 24
    while off + 16 <= len(data):
        _, _, incl, orig = struct.unpack(end + "IIII", data[off:off + 16])
        yield data[off + 16:off + 16 + incl], orig
        off += 16 + incl


def read_pcapng(data):
    """Enhanced Packet Blocks of a pcapng file (any section endianness)."""
    off, end = 0, "<"
    while off + 12 <= len(data):
        btype = struct.unpack(end + "I", data[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            end = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
        blen = struct.unpack(end + "I", data[off + 4:off + 8])[0]
        if blen < 12 or off + blen > len(data):
            sys.exit("pcapcmp: truncated pcapng block at offset %d" % off)
        if btype == 6:
            incl, orig = struct.unpack(end + "II", data[off + 20:off + 28])
            yield data[off + 28:off + 28 + incl], orig
        off += blen


def read_any(path):
    data = open(path, "rb").read()
    if data[:4] == b"\x0a\x0d\x0d\x0a":
        return list(read_pcapng(data))
    return list(read_pcap(data))


def tcp_info(frame):
    """(src, dst, sport, dport) of an Ethernet/IPv4|IPv6/TCP frame, or None."""
    if len(frame) < 14:
        return None
    etype, off = struct.unpack("!H", frame[12:14])[0], 14
    if etype == 0x0800 and len(frame) >= off + 20:
        ihl = (frame[off] & 15) * 4
        if frame[off + 9] != 6:
            return None
        src, dst = frame[off + 12:off + 16], frame[off + 16:off + 20]
        off += ihl
    elif etype == 0x86DD and len(frame) >= off + 40:
        if frame[off + 6] != 6:
            return None
        src, dst = frame[off + 8:off + 24], frame[off + 24:off + 40]
        off += 40
    else:
        return None
    if len(frame) < off + 4:
        return None
    sport, dport = struct.unpack("!HH", frame[off:off + 4])
    return src, dst, sport, dport


def flows(pkts, port, to_server):
    """Packets sent towards (or from) the server port, in order, per flow
    keyed by the client's (address, port)."""
    out = {}
    for frame, orig in pkts:
        t = tcp_info(frame)
        if t is None or (t[3] if to_server else t[2]) != port:
            continue
        client = (t[0], t[2]) if to_server else (t[1], t[3])
        out.setdefault(client, []).append((frame, orig))
    return out


def name(client, to_server):
    addr = ipaddress.ip_address(client[0])
    peer = "[%s]:%d" % (addr, client[1]) if addr.version == 6 else "%s:%d" % (addr, client[1])
    return peer + (" -> server" if to_server else " <- server")


def compare(name, mirror, capture, cap):
    if len(mirror) != len(capture):
        sys.exit("pcapcmp: %s: %d mirrored packets, %d captured" %
                 (name, len(mirror), len(capture)))
    nbytes = 0
    for i, ((mf, mo), (cf, co)) in enumerate(zip(mirror, capture)):
        if mo != co:
            sys.exit("pcapcmp: %s packet %d: original length %d mirrored, %d captured"
                     % (name, i, mo, co))
        if cap is not None and len(mf) != min(co, cap):
            sys.exit("pcapcmp: %s packet %d: %d bytes mirrored, want min(%d, %d)"
                     % (name, i, len(mf), co, cap))
        if mf != cf[:len(mf)]:
            at = next(j for j in range(len(mf)) if mf[j] != cf[j])
            sys.exit("pcapcmp: %s packet %d differs at byte %d" % (name, i, at))
        nbytes += len(mf)
    print("%s: %d packets equal (%d bytes compared)" % (name, len(mirror), nbytes))
    return len(mirror)


def main(argv):
    cap = None
    if "--cap" in argv:
        i = argv.index("--cap")
        cap = int(argv[i + 1])
        del argv[i:i + 2]
    if len(argv) != 5:
        sys.exit(__doc__)
    port = int(argv[4])
    mirror = read_any(argv[1])
    n = 0
    for to_server, path in ((True, argv[2]), (False, argv[3])):
        mirrored = flows(mirror, port, to_server)
        captured = flows(read_any(path), port, to_server)
        if sorted(mirrored) != sorted(captured):
            sys.exit("pcapcmp: flows differ: mirrored %s, captured %s" %
                     (sorted(name(c, to_server) for c in mirrored),
                      sorted(name(c, to_server) for c in captured)))
        for client in sorted(mirrored):
            n += compare(name(client, to_server), mirrored[client],
                         captured[client], cap)
    if n == 0:
        sys.exit("pcapcmp: no packets of flows to port %d" % port)


if __name__ == "__main__":
    main(sys.argv)
