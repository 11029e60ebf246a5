#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""edgeward policy, end to end through the binary: every example under
policies/ passes `policy check` (exit 0), every file of the invalid corpus
fails (exit 1) with exactly its "# expect:" messages on stderr (the lines
with a caret aside); `policy apps` lists nDPI 4.2's names; `policy tags`
writes one JSON object a tag; `policy decide` answers as the rules say;
a bad command line exits 2."""
import glob
import json
import os
import subprocess
import sys

import ewtest

failures = []


def expect(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)
        if detail:
            print("       " + str(detail)[:800])


def ew(*args):
    p = subprocess.run([ewtest.edgeward(), "policy", *args], capture_output=True, text=True,
                       timeout=120, cwd=ewtest.repo_root())
    return p.returncode, p.stdout, p.stderr


def messages(stderr):
    """The message lines of diag_print's output: not the source lines and
    carets (indented), nor the closing verdict."""
    return [l for l in stderr.splitlines()
            if l and not l.startswith("  ") and not l.endswith(": invalid policy")]


def main():
    root = ewtest.repo_root()
    for f in sorted(glob.glob(os.path.join(root, "policies", "*.yaml"))):
        rel = os.path.relpath(f, root)
        rc, out, err = ew("check", rel)
        expect(f"{rel}: valid", rc == 0 and "valid (rules:" in out and not err, err or out)
    for f in sorted(glob.glob(os.path.join(root, "tests", "policy", "invalid", "*.yaml"))):
        rel = os.path.relpath(f, root)
        want = ["tests/policy/invalid/" + l[len("# expect: "):].rstrip("\n")
                for l in open(f, encoding="utf-8") if l.startswith("# expect: ")]
        rc, out, err = ew("check", rel)
        got = messages(err)
        expect(f"{rel}: exit 1 and its {len(want)} messages", rc == 1 and got == want,
               f"rc {rc}; " + next((f"got {g!r} want {w!r}" for g, w in zip(got, want)
                                     if g != w), f"{len(got)} != {len(want)} messages"))
    rc, out, err = ew("apps")
    names = set(out.splitlines())
    expect("apps: nDPI 4.2 applications and categories",
           rc == 0 and {"YouTube", "TLS", "BitTorrent", "Media", "Game"} <= names
           and not any(n.startswith("User custom") for n in names), out[:300])
    rc, out, err = ew("tags", "policies/isp.yaml")
    try:
        tags = [json.loads(l) for l in out.splitlines()]
    except ValueError as e:
        tags = []
        err += str(e)
    expect("tags: one JSON object a tag", rc == 0 and tags and all(
        {"rule", "rule_id", "inspect", "ports", "mirror_packets", "steer", "clients",
         "servers"} <= set(t) for t in tags), err or out[:300])
    minors = [t for t in tags if t["rule"] == "minors-adult"]
    expect("tags: the minors' rule tags only the minors' prefixes",
           minors and all(t["clients"] == ["100.64.10.0/24", "2001:db8:10::/48"] for t in minors),
           minors)
    rc, out, err = ew("decide", "policies/isp.yaml", "--at", "dns", "--client", "100.64.10.7",
                      "--name", "Videos.Adult.Example.")
    expect("decide: a minor asking for an adult name gets the notice, EDE 17",
           rc == 0 and "rule: minors-adult" in out and "action: notice" in out
           and "dns: notice, ede 17" in out, out + err)
    rc, out, err = ew("decide", "policies/isp.yaml", "--at", "tls", "--client", "100.64.99.7",
                      "--name", "videos.adult.example", "--acked")
    expect("decide: an adult who acknowledged the warning passes",
           rc == 0 and "rule: adult-warn" in out and "(warn acknowledged)" in out, out + err)
    rc, out, err = ew("decide", "policies/isp.yaml", "--at", "flow", "--client", "100.64.10.7",
                      "--app", "Steam", "--time", "2024-05-01T17:00:00Z")
    expect("decide: a minor's game at 22:30 in India is blocked",
           rc == 0 and "rule: minors-night-gaming" in out and "action: block" in out, out + err)
    rc, out, err = ew()
    expect("no subcommand: usage, exit 2", rc == 2 and "usage" in err, err)
    rc, out, err = ew("decide", "policies/isp.yaml", "--at", "smtp")
    expect("a bad point: exit 2", rc == 2, err)
    if failures:
        print(f"{len(failures)} failed")
        sys.exit(1)


if __name__ == "__main__":
    main()
