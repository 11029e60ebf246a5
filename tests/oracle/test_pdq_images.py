#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# Oracle: `edgeward hash --dihedral` on every image of the PDQ reference set
# (../shared/testdata/pdq) against expected.json, which holds what
# ThreatExchange's C++ pdq-photo-hasher printed. Each hash (and all eight
# dihedral hashes) must be within 2 bits of the reference (we expect 0: the
# decoders give the reference's pixels), quality within 1, and md5/sha1/
# sha256 exact. Prints the per-image distance table (docs/images.md).
import json
import os
import subprocess
import sys

import ewtest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
DATA = os.path.join(ewtest.testdata(), "pdq")   # exits 77 when absent
BIN = os.path.join(ROOT, os.environ.get("B", "build"), "edgeward")
DIH = ["orig", "rot90", "rot180", "rot270", "flipx", "flipy", "flipplus1", "flipminus1"]
MAX_BITS = 2


def parse(out):
    """edgeward hash output -> {path: {key: [values...]}}"""
    res, cur = {}, None
    for line in out.splitlines():
        if not line.startswith("  "):
            cur = res.setdefault(line, {})
            continue
        key, _, rest = line.strip().partition(" ")
        cur[key] = rest.split()
    return res


def dist(a, b):
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def check_cli_errors():
    """Non-images and broken images: the lines and the exit status."""
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        trunc = os.path.join(d, "trunc.png")
        with open(os.path.join(DATA, "images", "misc__c.png"), "rb") as f:
            open(trunc, "wb").write(f.read(1000))
        text = os.path.join(DATA, "MANIFEST.md")
        run = subprocess.run([BIN, "hash", text, trunc], capture_output=True, text=True)
        got = parse(run.stdout)
        want = [(got[text]["pdq"], ["-", "not", "an", "image"]),
                (got[trunc]["pdq"], ["-", "undecodable:", "png:", "truncated", "file"]),
                (run.returncode, 1),
                (run.stderr, f"edgeward: couldn't decode image '{trunc}': png: truncated file\n")]
        for g, w in want:
            if g != w:
                print(f"edgeward hash on a non-image and a truncated PNG: got {g!r}, want {w!r}")
                return 1
    print("non-image and truncated PNG reported as expected")
    return 0


def main():
    exp = json.load(open(os.path.join(DATA, "expected.json")))["images"]
    if len(exp) < 29:
        print(f"expected.json lists only {len(exp)} images")
        return 1
    paths = [os.path.join(DATA, e["file"]) for e in exp]
    run = subprocess.run([BIN, "hash", "--dihedral"] + paths, capture_output=True, text=True)
    if run.returncode != 0:
        print(f"edgeward hash exited {run.returncode}: {run.stderr}")
        return 1
    got = parse(run.stdout)
    fails = 0
    print(f"{'image':40} {'q ref/got':>10} {'pdq':>4}  dihedral distances ({' '.join(DIH)})")
    for e, p in zip(exp, paths):
        g = got.get(p)
        errs = []
        if not g or "pdq" not in g or g["pdq"][0] == "-":
            print(f"{e['file']}: no PDQ hash: {g}")
            fails += 1
            continue
        for k in ("md5", "sha1", "sha256"):
            if g[k][0] != e[k]:
                errs.append(f"{k} {g[k][0]} != {e[k]}")
        q = int(g["pdq"][2])
        d0 = dist(g["pdq"][0], e["pdq"])
        dd = [dist(g[n][0] if n != "orig" else g["pdq"][0], e["dihedral"][n]) for n in DIH]
        if abs(q - e["quality"]) > 1:
            errs.append(f"quality {q} vs {e['quality']}")
        if d0 > MAX_BITS or max(dd) > MAX_BITS:
            errs.append(f"distance over {MAX_BITS} bits")
        name = e["file"].split("/")[-1]
        print(f"{name:40} {e['quality']:>4}/{q:<5} {d0:>4}  {' '.join(map(str, dd))}"
              + ("  FAIL: " + "; ".join(errs) if errs else ""))
        fails += bool(errs)
    print(f"{len(exp) - fails}/{len(exp)} images agree with the reference")
    return 1 if fails or check_cli_errors() else 0


if __name__ == "__main__":
    sys.exit(main())
