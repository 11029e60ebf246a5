#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Oracle: every capture in ../shared/testdata/pcaps/http.

For each capture, the objects `edgeward pcap` reports -- kind, decoded size,
SHA-256 (null when not reported) and flags -- must equal the list below
exactly (as a multiset: order does not matter, count does).

Every expected hash is written as a prefix and resolved at run time against
the capture's entry in expected.json, in the oracle sources named with it
(tshark = tshark_export_objects, tcpflow = tcpflow_http_bodies, derived =
our own reassembly/MIME split/decoding in `derived`, upstream =
suricata-verify/Zeek expectations). An expectation that no oracle supports
cannot be written here. Where the oracles disagree, the comment of the case
says which view we take and why. The guiding principle (MANIFEST.md): what a
browser receives; Suricata/Zeek for ranges, gaps and multipart uploads --
except that gapped objects get NO hash (docs/pcap.md): neither Suricata's
empty-string placeholder nor Zeek's zero-filled hash.
"""
import collections
import hashlib
import json
import os
import sys

import ewtest


def O(kind, size, sha, flags, src=""):
    """One expected object. sha: hex prefix resolved in the sources named
    by src ("tshark", "tcpflow", "derived", "upstream", "+"-joined), the
    body itself (bytes) when no oracle exports it, or None for an object
    reported without hash."""
    return (kind, size, sha, tuple(sorted(flags.split())), src)


# The request body of sv__http-encoding-gzip-uncompressed (tshark -qz
# follow,tcp,ascii,0 shows it): no oracle tool exports it.
GZIP_UNCOMPRESSED_BODY = (b'{"sdk_version":11026,"app_package":"com.xcm.huasheng",'
                          b'"app_version":"1.7.4","device_id":"350672920106648"}')

C = "complete"
P = "complete partial"          # a complete range piece
GAP = "gap truncated"

CASES = {
    "sv__http-pipeline-files-with-gap__input.pcap": (
        "Pipelined responses with a gap in the 2nd. tshark stops after the "
        "gap; tcpflow zero-fills it (fb020d1c, a file nobody sent); Suricata "
        "marks it TRUNCATED with the empty-string placeholder hash. We report "
        "the gapped object with flags gap+truncated and no hash, and -- like "
        "Suricata and tcpflow -- keep parsing: the JPEG after it is whole.", [
            O("response", 24555, "68597435cff4", C, "tshark+tcpflow"),
            O("response", 0, None, GAP),  # the gap starts at its first body byte
            O("response", 34152, "c560e1ee9f10", C, "tcpflow"),
        ]),
    "sv__http-range-file__input.pcap": (
        "15 Range/206 responses of one JPEG. tshark mis-parses the first one "
        "into fragments; tcpflow has the 15 pieces; Suricata stitches one "
        "146515-byte file, as does our derived reassembly (3795027c). We "
        "report each piece (partial, its own hash, never matched) and the "
        "stitched whole once: the hash a list of known images contains.", [
            O("response", 10000, "58f48808c1f0", P, "tcpflow"),
            O("response", 10000, "2be061fcf5b6", P, "tcpflow+tshark"),
            O("response", 10000, "c48d1a965a5f", P, "tcpflow+tshark"),
            O("response", 10000, "031f06b75e2d", P, "tcpflow+tshark"),
            O("response", 10000, "6b4cba770eee", P, "tcpflow+tshark"),
            O("response", 10000, "f5f0f7e9d634", P, "tcpflow+tshark"),
            O("response", 10000, "e902fa8d886d", P, "tcpflow+tshark"),
            O("response", 10000, "8e6ccc229889", P, "tcpflow+tshark"),
            O("response", 10000, "3d6902d58481", P, "tcpflow+tshark"),
            O("response", 10000, "a56797758ae0", P, "tcpflow+tshark"),
            O("response", 10000, "3aa5c6f24a5d", P, "tcpflow+tshark"),
            O("response", 10000, "6a25d24f9d25", P, "tcpflow+tshark"),
            O("response", 10000, "4fc170237530", P, "tcpflow+tshark"),
            O("response", 10000, "70b87d250a7f", P, "tcpflow+tshark"),
            O("response", 6515, "55bacd02d112", P, "tcpflow+tshark"),
            O("assembled", 146515, "3795027cb756", "assembled complete", "derived"),
        ]),
    "sv__filestore-filecontainer-http__filecontainer-http.pcap": (
        "11 objects on keep-alive connections; tshark = tcpflow.", [
            O("response", 1054, "57b43ee07432", C, "tshark+tcpflow"),
            O("response", 6150, "fa65a0bfaa5d", C, "tshark+tcpflow"),
            O("response", 23372, "17de7185c3ce", C, "tshark+tcpflow"),
            O("response", 3437, "031b2bbeda6f", C, "tshark+tcpflow"),
            O("response", 3443, "560904cbe632", C, "tshark+tcpflow"),
            O("response", 33718, "7dbe37210602", C, "tshark+tcpflow"),
            O("response", 4920, "76ff7909219d", C, "tshark+tcpflow"),
            O("response", 6704, "667cb0b513b1", C, "tshark+tcpflow"),
            O("response", 5883, "f7200f61b328", C, "tshark+tcpflow"),
            O("response", 172, "e53c64d266a5", C, "tshark+tcpflow"),
            O("response", 1465, "e092858d5bd6", C, "tshark+tcpflow"),
        ]),
    "sv__filestore-dont__input.pcap": (
        "Pipelined requests; the POST body is multipart/form-data. tshark "
        "exports the whole 464-byte body, Suricata (and we) the parts: the "
        "parts are what a subscriber uploads. The parts end in a bare LF "
        "before the next '--myboundary' (RFC 2046 wants CRLF). Our derived "
        "split kept that LF in the content (11 and 29 bytes); a receiving "
        "server does not: PHP's parser looks for LF '--boundary' and drops "
        "a CR before it, so the uploaded field is '0123456789' and the file "
        "28 'F's. We take the server's view and hash those literal bytes "
        "(visible in the TCP stream). The two responses agree across tshark, "
        "tcpflow and Suricata (eb076a2e).", [
            O("form_part", 10, b"0123456789", C),
            O("form_part", 10, b"9876543210", C),
            O("form_part", 28, b"F" * 28, C),
            O("form_part", 28, b"F" * 28, C),
            O("response", 2048, "eb076a2ec6ce", C, "tshark+tcpflow+upstream"),
            O("response", 20, "4e76ad835446", C, "tshark+tcpflow"),
        ]),
    "sv__issue-3703__input.pcap": (
        "Single PDF; Suricata = tshark = tcpflow.", [
            O("response", 9952, "02f43016d078", C, "tshark+tcpflow+upstream"),
        ]),
    "sv__bug-2576-01__temp6.pcap": (
        "One response; tshark's object has the md5 Suricata asserts "
        "(090fe607); tcpflow does not parse the flow.", [
            O("response", 2381, "36aa8603b7e0", C, "tshark"),
        ]),
    "sv__file-match-crossed__http-multipart-post.pcap": (
        "multipart/form-data POST with two files. Suricata extracts each part "
        "(c345c434, 0605686b, reproduced by our derived MIME split); tshark "
        "only the whole body. The uploaded files are the parts.", [
            O("form_part", 24, "0605686b5f3a", C, "derived+upstream"),
            O("form_part", 25, "c345c4347021", C, "derived+upstream"),
            O("response", 88452, "f92fa690903c", C, "tshark+tcpflow"),
        ]),
    "sv__http-brotli-ce__input.pcap": (
        "Content-Encoding: br. tcpflow keeps the compressed bytes; tshark "
        "decodes, with the decoded sizes Suricata asserts (1743, 121). A "
        "browser decodes brotli, so the decoded bodies are the objects.", [
            O("response", 1743, "f66256471cd5", C, "tshark"),
            O("response", 121, "e6b6bc6bc162", C, "tshark"),
        ]),
    "sv__http-gap-simple__input.pcap": (
        "Three HTTP/1.0 responses, Content-Length 12 but 14 bytes sent for /1 "
        "and /3; /2 has a 14-byte hole. A browser reads Content-Length bytes: "
        "12 (tshark, tcpflow; Suricata counts 14). /2: gap, no hash (tcpflow's "
        "6e5b4417 is its zero-filled copy).", [
            O("response", 12, "7f83b1657ff1", C, "tshark+tcpflow"),
            O("response", 14, None, GAP),  # 14 bytes arrived before the hole
            O("response", 12, "bf535fbf3dbf", C, "tshark+tcpflow"),
        ]),
    "sv__http-gap-whole-body__input.pcap": (
        "The whole body of /1 is lost. Suricata: /1 TRUNCATED, /2 and /3 "
        "CLOSED; tshark has /2 and /3; tcpflow mis-assigns. Suricata's view: "
        "/1 has no hash, /2 and /3 as tshark.", [
            O("response", 0, None, GAP),
            O("response", 70, "01d3a187638c", C, "tshark"),
            O("response", 12, "bf535fbf3dbf", C, "tshark"),
        ]),
    "sv__http-encoding-gzip-uncompressed__input.pcap": (
        "The REQUEST says Content-Encoding: gzip but its 106-byte body is "
        "plain JSON; the response (224 B, no coding) is what tshark and "
        "tcpflow export. tshark drops the request body it cannot gunzip; we "
        "keep the bytes as sent (the server gets nothing else), hashed from "
        "the literal body visible in the TCP stream.", [
            O("request", 106, GZIP_UNCOMPRESSED_BODY, C),
            O("response", 224, "214cdc3c03a1", C, "tshark+tcpflow"),
        ]),
    "sv__transform-gunzip__input.pcap": (
        "Small response; tshark = tcpflow.", [
            O("response", 31, "5945da571c05", C, "tshark+tcpflow"),
        ]),
    "sv__bug-3286-01-no-evasion__without_evasion.pcap": (
        "Baseline: 14-byte body (Content-Length 14); tshark, Suricata length 14.", [
            O("response", 14, "686b7feefc04", C, "tshark"),
        ]),
    "sv__bug-3286-02-linux-evasion__with_evasion_linux.pcap": (
        "Same body behind segments with stale TCP timestamps that Linux drops "
        "(PAWS); the reassembler drops them too, so the object is the "
        "baseline's.", [
            O("response", 14, "686b7feefc04", C, "tshark"),
        ]),
    "sv__filemagic-flowbits__pdf-dl.pcap": (
        "PDF download; tshark = tcpflow.", [
            O("response", 12419, "7da2eb7f78ae", C, "tshark+tcpflow"),
        ]),
    "sv__firewall__ruletype-firewall-17-http-txbits-multi-tx__http-sticky-server-s8.pcap": (
        "8 identical 1x1 GIFs on one connection; tshark = tcpflow.",
        [O("response", 42, "99c2917ee5b2", C, "tshark+tcpflow")] * 8),
    "sv__http-ipv6__input.pcap": (
        "HTTP over IPv6; tshark (tcpflow cannot name IPv6 flows).", [
            O("response", 563, "fa5f9163d70d", C, "tshark"),
        ]),
    "sv__bug-4810__pppoe-session-http.pcap": (
        "HTTP inside PPPoE; tshark (tcpflow has no PPPoE).", [
            O("response", 14796, "3c3cb0f0e369", C, "tshark"),
        ]),
    "sv__http-sticky-start__input.pcap": (
        "3 objects; tshark = tcpflow.", [
            O("response", 85419, "269c51a810dd", C, "tshark+tcpflow"),
            O("response", 659, "524af82d4ba7", C, "tshark+tcpflow"),
            O("response", 50, "99af9dacec35", C, "tshark+tcpflow"),
        ]),
    "sv__tcp-fastopen-01__tfo.pcap": (
        "Request carried in the SYN (TCP Fast Open); tshark = tcpflow. The "
        "302 before it has an empty body (http.length 0 upstream).", [
            O("response", 1158, "9860656206e7", C, "tshark+tcpflow"),
        ]),
    "sv__bug-2511__response_identity_identity_gzip_identity_gzip_gzip.pcap": (
        "Three stacked gzip codings. tshark gives up, tcpflow removes one; "
        "a browser removes all (derived: 24 bytes). The wire body is "
        "tcpflow's 135 bytes before gunzip.", [
            O("response", 24, "8909e97648ae", C, "derived"),
        ]),
    "zeek__get.pcap": (
        "Plain GET; Zeek = tshark = tcpflow.", [
            O("response", 4705, "4e7c7ef09841", C, "tshark+tcpflow+upstream"),
        ]),
    "zeek__get-gzip.pcap": (
        "gzip-encoded JSON; Zeek = tshark = tcpflow (decoded).", [
            O("response", 197, "202b775be087", C, "tshark+tcpflow+upstream"),
        ]),
    "zeek__pipelined-requests.pcap": (
        "5 pipelined requests; Zeek = tshark = tcpflow.", [
            O("response", 2675, "5b037a2c5e36", C, "tshark+tcpflow+upstream"),
            O("response", 21421, "6a509fd05aa7", C, "tshark+tcpflow+upstream"),
            O("response", 94, "6fb22aa9d780", C, "tshark+tcpflow+upstream"),
            O("response", 2349, "e0b4500c1fd1", C, "tshark+tcpflow+upstream"),
            O("response", 27579, "eb482bda230a", C, "tshark+tcpflow+upstream"),
        ]),
    "zeek__206_example_a.pcap": (
        "A PDF in two Range requests over two TCP connections. tshark and "
        "tcpflow give the pieces; Zeek (and our derived reassembly) the whole "
        "555523-byte file, stitched here across the connections.", [
            O("response", 32768, "760748082985", P, "tshark+tcpflow"),
            O("response", 522755, "e59bec31dae5", P, "tshark+tcpflow"),
            O("assembled", 555523, "61c0718bd534", "assembled complete", "derived+upstream"),
        ]),
    "zeek__post.pcap": (
        "POST 'hello world' (not multipart: the body is the object) and a "
        "JSON response; Zeek = tshark.", [
            O("request", 11, "b94d27b9934d", C, "tshark+upstream"),
            O("response", 366, "8eb24c16df7c", C, "tshark+tcpflow+upstream"),
        ]),
    "zeek__missing-zlib-header.pcap": (
        "Content-Encoding: deflate sent as raw deflate (no zlib header), "
        "twice. Browsers accept both forms; tshark decodes both (13249 B, "
        "Zeek's response_body_len).", [
            O("response", 13249, "21f693252bc9", C, "tshark"),
            O("response", 13249, "21f693252bc9", C, "tshark"),
        ]),
    "zeek__zeek-image-1080-80-x.pcapng": (
        "PNG over HTTP in a pcapng; tshark = tcpflow.", [
            O("response", 5816, "42f34ab432e3", C, "tshark+tcpflow"),
        ]),
    "zeek__interleaved-http-entity.pcap": (
        "A 10-byte request body and a 3-byte response; tshark has both, "
        "tcpflow only the response (it exports no request bodies). Lines "
        "end in bare LF: accepted (as browsers do) and flagged.", [
            O("request", 10, "506495bcbee9", "anomaly complete", "tshark"),
            O("response", 3, "a383bcb77c83", "anomaly complete", "tshark+tcpflow"),
        ]),
    "zeek__content-range-gap.pcap": (
        "One 206 piece (bytes 20001-30353 of 30354); the first 20001 bytes "
        "never come, and a 1380-byte TCP segment of the piece itself is "
        "lost too (tshark: 'previous segment not captured'). Zeek zero-fills "
        "both holes and hashes (40769c75: a file nobody sent); tcpflow's "
        "piece 4f7ba4db has the segment hole zero-filled. We report the "
        "piece as gapped (1380 bytes arrived before the hole, no hash, not "
        "stitched) and, at the end of input, the resource as an incomplete "
        "assembled object without hash.", [
            O("response", 1380, None, "gap partial truncated"),
            O("assembled", 30354, None, "assembled gap truncated"),
        ]),
}

SOURCES = {
    "tshark": ("tshark_export_objects",),
    "tcpflow": ("tcpflow_http_bodies",),
    "derived": ("derived",),
    "upstream": ("upstream_expectations", "upstream_hash_crosscheck"),
}


def hashes_in(x, out):
    if isinstance(x, dict):
        for v in x.values():
            hashes_in(v, out)
    elif isinstance(x, list):
        for v in x:
            hashes_in(v, out)
    elif isinstance(x, str) and len(x) == 64:
        out.add(x)
    return out


def resolve(entry, prefix, src):
    """The full SHA-256 for prefix, which must be in every named source."""
    full = None
    for s in src.split("+"):
        found = set()
        for field in SOURCES[s]:
            hashes_in(entry.get(field), found)
        m = [h for h in found if h.startswith(prefix)]
        if len(m) != 1:
            raise ValueError(f"{prefix}: {len(m)} matches in {s}")
        if full and m[0] != full:
            raise ValueError(f"{prefix}: sources disagree")
        full = m[0]
    return full


def check(path, entry, expected):
    rc, events, err = ewtest.run_pcap([path], "--hash", "sha256")
    if rc != 0:
        return [f"exit status {rc}: {err.strip()[-500:]}"]
    want = collections.Counter(
        (k, size, hashlib.sha256(sha).hexdigest() if isinstance(sha, bytes)
         else resolve(entry, sha, src) if sha else None, flags)
        for k, size, sha, flags, src in expected)
    got = collections.Counter(
        (e["kind"], e["size"], e["sha256"], tuple(sorted(e["flags"])))
        for e in events if e["event"] == "object")
    problems = [f"missing  {k}" for k in sorted((want - got).elements(), key=str)]
    problems += [f"extra    {k}" for k in sorted((got - want).elements(), key=str)]
    return problems


def main():
    data = ewtest.testdata()
    exp = json.load(open(os.path.join(data, "pcaps", "expected.json")))
    entries = {os.path.basename(e["file"]): e for e in exp["http_pcaps"]}
    on_disk = sorted(os.listdir(os.path.join(data, "pcaps", "http")))
    failed = 0
    for name in on_disk:
        if name not in CASES:
            print(f"FAIL {name}: capture without expectations")
            failed += 1
            continue
        why, expected = CASES[name]
        problems = check(os.path.join(data, "pcaps", "http", name),
                         entries[name], expected)
        print(f"{'ok  ' if not problems else 'FAIL'} {name} ({len(expected)} objects)")
        for p in problems:
            print(f"       {p}")
        if problems:
            print(f"       why: {why}")
            failed += 1
    for name in sorted(set(CASES) - set(on_disk)):
        print(f"FAIL {name}: expected capture missing from the test data")
        failed += 1
    print(f"{len(on_disk) - failed} of {len(on_disk)} captures as expected")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
