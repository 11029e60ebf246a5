#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""PDQ of image objects in `edgeward pcap`:

1. For every capture in testdata/pcaps/http whose expected.json lists
   pdq_of_image_objects, the object with that SHA-256 carries the reference
   PDQ and quality (the reference tool decodes with ImageMagick; imgsandbox
   matched it bit for bit on testdata/pdq, so equality is asserted and the
   per-object distance printed).
2. A capture made here (gen_image_http.py, /usr/bin/python3 + scapy) serving
   benign images from testdata/pdq/images: a PDQ list entry of a variant of
   the served image matches at the exact distance, entries past the
   threshold do not, the quality gate holds back a low-quality hash, and
   the hash-sharing XML sample feeds the exact lists and the PDQ index
   together (classification = category). Type is sniffed, not declared."""
import json
import os
import subprocess
import sys
import tempfile

import ewtest

ROOT = ewtest.repo_root()
XML = os.path.join(ROOT, "policies", "lists", "sample-hashsharing.xml")
GEN = os.path.join(ROOT, "tests", "oracle", "gen_image_http.py")
SCAPY_PY = "/usr/bin/python3"

failures = []


def expect(name, cond, detail=""):
    print(f"{'ok  ' if cond else 'FAIL'} {name}")
    if not cond:
        print(f"       {detail}")
        failures.append(name)


def hamming(a, b):
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def flip(hexhash, nbits):
    """hexhash with its nbits lowest bits inverted."""
    return f"{int(hexhash, 16) ^ ((1 << nbits) - 1):064x}"


def objects(ev):
    return [e for e in ev if e["event"] == "object"]


def matches(ev, uri=None, hash_type="pdq"):
    by_id = {e["id"]: e for e in objects(ev)}
    return [e for e in ev if e["event"] == "match" and e["hash_type"] == hash_type
            and (uri is None or by_id[e["object"]]["uri"] == uri)]


def reference_captures(td):
    exp = json.load(open(os.path.join(td, "pcaps", "expected.json")))
    checked = 0
    for cap in exp["http_pcaps"]:
        want = cap.get("pdq_of_image_objects")
        if not want:
            continue
        rc, ev, err = ewtest.run_pcap([os.path.join(td, "pcaps", cap["file"])], "--pdq")
        expect(f"{cap['file']}: runs", rc == 0, f"rc {rc}: {err[-300:]}")
        for w in want:
            got = [o for o in objects(ev) if o.get("sha256") == w["sha256"]]
            if not got:
                expect(f"{cap['file']} {w['object']}: object found", False,
                       f"no object with sha256 {w['sha256']}")
                continue
            o = got[0]
            d = hamming(o["pdq"], w["pdq"]) if o["pdq"] else None
            print(f"     {cap['file']} {w['object']}: distance {d}, quality "
                  f"{o['pdq_quality']} (reference {w['quality']})")
            expect(f"{cap['file']} {w['object']}: PDQ and quality equal the reference",
                   o["pdq"] == w["pdq"] and o["pdq_quality"] == w["quality"]
                   and o["pdq_error"] is None, o)
            checked += 1
    expect("reference image objects checked", checked == 7, checked)


def make_capture(td, tmp):
    """sq.bin: square-128x128.jpg declared as octet-stream; q3.jpg: a
    quality-3 image; bg.jpg: quality 70; houses.jpg: labelme q2821 (the
    XML sample's sample-img-3)."""
    imgs = os.path.join(td, "pdq", "images")
    out = os.path.join(tmp, "images.pcap")
    p = subprocess.run([SCAPY_PY, GEN, out,
                        f"/sq.bin={imgs}/bridge-mods__square-128x128.jpg",
                        f"/q3.jpg={imgs}/labelme__q0003.jpg:image/jpeg",
                        f"/bg.jpg={imgs}/wasm__bg.jpg:image/png",
                        f"/houses.jpg={imgs}/labelme__q2821.jpg:text/html"],
                       capture_output=True, text=True, timeout=120)
    if p.returncode:
        print(f"FAIL: {GEN} failed (needs python3-scapy at {SCAPY_PY}): {p.stderr[-500:]}")
        sys.exit(1)
    return out


def list_file(tmp, name, lines):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write("".join(line + "\n" for line in lines))
    return path


def ref(td, name):
    exp = json.load(open(os.path.join(td, "pdq", "expected.json")))
    return next(i for i in exp["images"] if i["file"] == "images/" + name)


def near_matches(td, tmp, cap):
    orig = ref(td, "bridge-mods__aaa-orig.jpg")["pdq"]
    sq = ref(td, "bridge-mods__square-128x128.jpg")["pdq"]
    dist = hamming(orig, sq)
    expect("variant distance is 6 in the reference data", dist == 6, dist)
    at31, at32 = flip(sq, 31), flip(sq, 32)
    hexl = list_file(tmp, "bridge.pdq", ["# synthetic: PDQ of the bridge photo", orig])
    csvl = list_file(tmp, "edge.csv", ["pdq,label", f"{at31},at-31", f"{at32},at-32"])
    rc, ev, err = ewtest.run_pcap([cap], "--hash", "sha256",
                                  "--pdqlist", f"bridge={hexl},category=synthetic",
                                  "--pdqlist", f"tight={hexl},threshold=5",
                                  "--pdqlist", f"edge={csvl},category=edge")
    expect("near match: exit 1", rc == 1, f"rc {rc}: {err[-300:]}")
    sqo = [o for o in objects(ev) if o["uri"] == "/sq.bin"][0]
    expect("sniffed jpeg despite octet-stream", sqo["sniffed"] == "jpeg"
           and sqo["content_type"] == "application/octet-stream", sqo)
    expect("object PDQ = reference", sqo["pdq"] == sq and sqo["pdq_quality"] == 100, sqo)
    m = matches(ev, "/sq.bin")
    got = sorted((x["list"], x["category"], x["label"], x["distance"], x["threshold"],
                  x["quality"], x["hash"], x["body"]) for x in m)
    want = sorted([("bridge", "synthetic", "", 6, 31, 100, sq, "decoded"),
                   ("edge", "edge", "at-31", 31, 31, 100, sq, "decoded")])
    expect("hits: bridge at 6, edge entry at 31; tight (threshold 5) and at-32 not",
           got == want, got)
    s = ev[-1]
    expect("summary counts PDQ matches", s["matches"] == 2 and s["matched_objects"] == 1
           and s["pdq"]["matches"] == 2 and s["pdq"]["hashed"] == 4, s)
    lists = {x["name"]: x for x in s["lists"]}
    expect("summary lists", lists["edge"]["entries"] == 2 and lists["edge"]["type"] == "pdq"
           and lists["tight"]["threshold"] == 5, s["lists"])


def quality_gate(td, tmp, cap):
    q3 = ref(td, "labelme__q0003.jpg")
    bg = ref(td, "wasm__bg.jpg")
    lst = list_file(tmp, "self.pdq", [q3["pdq"], bg["pdq"]])
    rc, ev, err = ewtest.run_pcap([cap], "--pdqlist", f"self={lst}")
    q3o = [o for o in objects(ev) if o["uri"] == "/q3.jpg"][0]
    expect("quality 3: hash logged", q3o["pdq"] == q3["pdq"] and q3o["pdq_quality"] == 3
           and q3o["pdq_matchable"] is False, q3o)
    expect("quality 3: not matched at the default minimum 50",
           matches(ev, "/q3.jpg") == [] and len(matches(ev, "/bg.jpg")) == 1, rc)
    expect("summary low_quality", ev[-1]["pdq"]["low_quality"] == 1, ev[-1]["pdq"])
    rc, ev, err = ewtest.run_pcap([cap], "--pdqlist", f"self={lst}", "--pdq-min-quality", "71")
    expect("quality 70 held back at minimum 71", rc == 0 and matches(ev) == [], rc)
    rc, ev, err = ewtest.run_pcap([cap], "--pdqlist", f"self={lst}", "--pdq-min-quality", "0")
    got = sorted((x["label"], x["distance"], x["quality"]) for x in matches(ev))
    expect("minimum 0: both matched at distance 0", rc == 1
           and got == [("", 0, 3), ("", 0, 70)], got)


def xml_feed(td, cap):
    sq = ref(td, "bridge-mods__square-128x128.jpg")["pdq"]
    houses = ref(td, "labelme__q2821.jpg")
    rc, ev, err = ewtest.run_pcap([cap], "--hashxml", XML)
    expect("XML: exit 1", rc == 1, f"rc {rc}: {err[-300:]}")
    pm = sorted((x["object"], x["list"], x["category"], x["label"], x["distance"])
                for x in matches(ev))
    ids = {o["uri"]: o["id"] for o in objects(ev)}
    expect("XML PDQ hits: square-128 near sample-img-1 (A1) at 6, houses = sample-img-3",
           pm == sorted([(ids["/sq.bin"], "hashxml", "A1", "sample-img-1", 6),
                         (ids["/houses.jpg"], "hashxml", "B1", "sample-img-3", 0)]), pm)
    ho = [o for o in objects(ev) if o["uri"] == "/houses.jpg"][0]
    expect("houses PDQ = reference", ho["pdq"] == houses["pdq"], ho)
    bg = ref(td, "wasm__bg.jpg")
    ex = sorted((x["uri"], x["hash_type"], x["category"], x["hash"]) for x in ev
                if x["event"] == "match" and x["hash_type"] in ("md5", "sha1"))
    expect("XML exact hits on the same feed: houses (B1), bg.jpg = the video entry (B2)",
           ex == sorted([("/houses.jpg", "md5", "B1", houses["md5"]),
                         ("/houses.jpg", "sha1", "B1", houses["sha1"]),
                         ("/bg.jpg", "md5", "B2", bg["md5"]),
                         ("/bg.jpg", "sha1", "B2", bg["sha1"])]), ex)
    expect("sq.bin PDQ unchanged by the feed",
           [o["pdq"] for o in objects(ev) if o["uri"] == "/sq.bin"] == [sq])


def errors():
    rc, ev, err = ewtest.run_pcap(["/nonexistent.pcap"], "--pdqlist", "x=/nonexistent.pdq")
    expect("missing PDQ list: exit 2 with message", rc == 2 and
           "couldn't load PDQ list 'x' from '/nonexistent.pdq'" in err, err)
    rc, ev, err = ewtest.run_pcap(["/nonexistent.pcap"], "--pdqlist", "x=/y,threshold=300")
    expect("bad threshold: exit 2", rc == 2 and "bad --pdqlist 'x=/y,threshold=300'" in err,
           err)
    rc, ev, err = ewtest.run_pcap(["/nonexistent.pcap"], "--pdq-min-quality", "abc")
    expect("bad quality: exit 2", rc == 2 and "bad --pdq-min-quality 'abc'" in err, err)


def main():
    td = ewtest.testdata()
    if not os.path.isdir(os.path.join(td, "pdq", "images")):
        print(f"skipped: no PDQ test images under {td}")
        sys.exit(ewtest.SKIP)
    if subprocess.run([SCAPY_PY, "-c", "import scapy"], capture_output=True).returncode:
        print(f"skipped: {SCAPY_PY} has no scapy (apt install python3-scapy)")
        sys.exit(ewtest.SKIP)
    reference_captures(td)
    with tempfile.TemporaryDirectory() as tmp:
        cap = make_capture(td, tmp)
        near_matches(td, tmp, cap)
        quality_gate(td, tmp, cap)
        xml_feed(td, cap)
    errors()
    if failures:
        print(f"{len(failures)} failed: {', '.join(failures)}")
        sys.exit(1)
    print("all passed")


if __name__ == "__main__":
    main()
