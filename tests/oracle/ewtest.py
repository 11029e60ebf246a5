# SPDX-License-Identifier: GPL-2.0
"""Shared helpers of the oracle tests: find the test data and the binary,
run `edgeward pcap`, parse its JSON Lines. Stdlib only."""
import json
import os
import subprocess
import sys
import tempfile

SKIP = 77


def repo_root():
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        return subprocess.run(["git", "-C", here, "rev-parse", "--show-toplevel"],
                              capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return os.path.dirname(os.path.dirname(here))


def testdata():
    """The shared test data directory, or exit 77 (skipped) saying why."""
    d = os.environ.get("EW_TESTDATA") or os.path.join(repo_root(), "..", "shared",
                                                      "testdata")
    d = os.path.normpath(d)
    if not os.path.isfile(os.path.join(d, "pcaps", "expected.json")):
        print(f"skipped: no test data at {d} (set EW_TESTDATA)")
        sys.exit(SKIP)
    return d


def edgeward():
    b = os.environ.get("B", "build")
    path = os.path.join(repo_root(), b, "edgeward")
    if not os.access(path, os.X_OK):
        print(f"FAIL: {path} not built (make B={b})")
        sys.exit(1)
    return path


def run_pcap(files, *args):
    """Runs edgeward pcap; returns (exit status, events, stderr)."""
    p = subprocess.run([edgeward(), "pcap", *files, *args], capture_output=True,
                       text=True, errors="replace", timeout=600)
    events = []
    for n, line in enumerate(p.stdout.splitlines(), 1):
        try:
            events.append(json.loads(line))
        except ValueError as e:
            print(f"FAIL: output line {n} is not JSON ({e}): {line[:200]}")
            sys.exit(1)
    return p.returncode, events, p.stderr


def run_generated(gen, check, what):
    """Runs the capture generator gen (a script taking OUTDIR, writing
    captures and manifest.json) with Debian's python3 (python3-scapy), and
    check(path, capture) -> problems on each capture of its manifest.
    Prints a line per capture and "N of M <what> as expected"; returns the
    exit status (77 without scapy)."""
    py = "/usr/bin/python3"
    if subprocess.run([py, "-c", "import scapy.all"], capture_output=True).returncode:
        print("skipped: python3-scapy is not installed (apt-get install python3-scapy)")
        return SKIP
    with tempfile.TemporaryDirectory() as tmp:
        p = subprocess.run([py, gen, tmp], capture_output=True, text=True)
        if p.returncode:
            print(f"FAIL: {gen} exited {p.returncode}: {p.stderr[-1000:]}")
            return 1
        manifest = json.load(open(os.path.join(tmp, "manifest.json")))
        failed = 0
        for cap in manifest["captures"]:
            problems = check(os.path.join(tmp, cap["file"]), cap)
            print(f"{'ok  ' if not problems else 'FAIL'} {cap['file']}: {cap['case']}")
            for prob in problems:
                print(f"       {prob}")
            failed += bool(problems)
    n = len(manifest["captures"])
    print(f"{n - failed} of {n} {what} as expected")
    return 1 if failed or not n else 0
