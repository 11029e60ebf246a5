#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Client replay: what real clients keep of each capture's response must be
among the bodies edgeward hashes.

    capture --scapy--> server's byte stream --replayed on 127.8.0.1:80--> client
       |                                                                   |
       +--> edgeward pcap --> every reading's SHA-256 (decoded and wire)   |
                                   ^--- each body a client keeps ----------+

For each capture of the HTTP evader set (../shared/testdata/pcaps/evader)
and of tests/oracle/gen_framing.py, the server side of its first TCP
connection (in sequence order, the first copy of each byte, up to a hole)
is sent as is, then the connection is closed, to each client:

  chromium   headless, driven over the DevTools protocol on a pipe
             (--remote-debugging-pipe): a page of the replay's own origin
             fetch()es the object and returns its bytes (what the network
             stack decoded; a fetch that fails keeps nothing)
  curl       `curl -o FILE URL`, and `curl --compressed -o FILE URL`
             (decodes gzip, deflate, br); a non-zero exit keeps nothing

Port 80 on the loopback of a network namespace of its own (Chromium reads
HTTP/0.9 only on a scheme's default port, and the captures are port 80;
the namespace keeps other tests' servers out of the way), hence root. Every
non-empty body a client keeps must have the SHA-256 of an object edgeward
wrote for the capture (its decoded body or its wire body). Where the
clients keep different bodies, the capture is listed as a disagreement
(docs/http.md lists them). B/client-replay.json keeps each client's result
per capture. Skipped (77) without chromium, curl, python3-scapy or root.

Usage: tests/oracle/test_client_replay.py [CAPTURE...]   (default: all)
"""
import base64
import glob
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ewtest  # noqa: E402

ADDR = "127.8.0.1"
HERE = os.path.dirname(os.path.abspath(__file__))
HTML = b"<html><head><link rel=icon href=data:,></head></html>"
PAGE = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n"
        b"Content-Length: %d\r\n\r\n" % len(HTML)) + HTML
FETCH = """fetch('/object', {cache: 'no-store'}).then(r => r.arrayBuffer()).then(b => {
  const u = new Uint8Array(b); let s = '';
  for (let i = 0; i < u.length; i += 8192)
    s += String.fromCharCode.apply(null, u.subarray(i, i + 8192));
  return 'OK:' + btoa(s);
}, e => 'ERR:' + e.message)"""


def skip(why):
    print("skipped: " + why)
    sys.exit(ewtest.SKIP)


# ---- the server's stream of a capture ---------------------------------------

def server_stream(path):
    """The server's bytes of the first TCP connection with a SYN: in
    sequence order, the first copy of each byte, up to the first hole."""
    from scapy.all import TCP, PcapReader
    conn, isn, segs = None, None, {}
    for p in PcapReader(path):
        if TCP not in p:
            continue
        t, ip = p[TCP], p[TCP].underlayer
        if conn is None and t.flags & 0x02 and not t.flags & 0x10:
            conn = (ip.dst, t.dport, ip.src, t.sport)  # server first
            continue
        if conn is None or (ip.src, t.sport, ip.dst, t.dport) != conn:
            continue
        if t.flags & 0x02:
            isn = t.seq
            continue
        data = bytes(t.payload)
        if data and isn is not None:
            off = (t.seq - isn - 1) % (1 << 32)
            segs.setdefault(off, data)
    out = bytearray()
    for off in sorted(segs):
        if off > len(out):
            break
        out += segs[off][len(out) - off:]
    return bytes(out)


# ---- the replay server ------------------------------------------------------

class Replay:
    """Serves PAGE at /__ew/page and the current stream to anything else:
    sent once the request head is in, then the connection is closed."""

    def __init__(self):
        self.stream = b""
        self.ls = socket.socket()
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.bind((ADDR, 80))
        self.ls.listen(16)
        threading.Thread(target=self.loop, daemon=True).start()

    def loop(self):
        while True:
            try:
                cs, _ = self.ls.accept()
            except OSError:
                return
            try:
                self.serve(cs)
            except OSError:
                pass
            cs.close()

    def serve(self, cs):
        cs.settimeout(5)
        req = b""
        while b"\r\n\r\n" not in req:
            d = cs.recv(4096)
            if not d:
                return
            req += d
        cs.sendall(PAGE if req.startswith(b"GET /__ew/page") else self.stream)
        cs.shutdown(socket.SHUT_WR)
        while cs.recv(4096):
            pass


# ---- chromium over the DevTools protocol on a pipe --------------------------

class Chromium:
    def __init__(self, exe):
        r_in, self.w = os.pipe()    # commands: our w -> its fd 3
        self.r, w_out = os.pipe()   # replies: its fd 4 -> our r
        self.prof = tempfile.mkdtemp(prefix="ew-chromium-")

        def fds():
            a, b = os.dup(r_in), os.dup(w_out)
            os.dup2(a, 3)
            os.dup2(b, 4)
        self.p = subprocess.Popen(
            [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--remote-debugging-pipe", "--user-data-dir=" + self.prof,
             "--disable-background-networking", "--no-proxy-server",
             "--disable-features=HttpsUpgrades", "about:blank"],
            close_fds=False, preexec_fn=fds, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(r_in)
        os.close(w_out)
        self.buf, self.id = b"", 0
        tid = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.s = self.call("Target.attachToTarget",
                           {"targetId": tid, "flatten": True})["sessionId"]
        self.call("Page.navigate", {"url": f"http://{ADDR}/__ew/page"}, self.s)
        for _ in range(100):
            if self.eval("document.readyState") == "complete":
                return
            time.sleep(0.05)
        raise RuntimeError("chromium did not load the harness page")

    def call(self, method, params, session=None, timeout=20):
        self.id += 1
        msg = {"id": self.id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        end = time.monotonic() + timeout
        while True:
            while b"\0" not in self.buf:
                if time.monotonic() > end:
                    raise TimeoutError(method)
                d = os.read(self.r, 1 << 16)
                if not d:
                    raise EOFError("chromium exited")
                self.buf += d
            m, self.buf = self.buf.split(b"\0", 1)
            m = json.loads(m)
            if m.get("id") == self.id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m["result"]

    def eval(self, expr):
        r = self.call("Runtime.evaluate", {"expression": expr, "awaitPromise": True},
                      self.s)
        return r["result"].get("value")

    def fetch(self):
        """(bytes kept or None, note)"""
        v = self.eval(FETCH) or "ERR:no value"
        if v.startswith("OK:"):
            return base64.b64decode(v[3:]), "ok"
        return None, v[4:]

    def close(self):
        self.p.kill()
        self.p.wait()
        shutil.rmtree(self.prof, ignore_errors=True)


def curl(tmp, *args):
    out = os.path.join(tmp, "curl.out")
    if os.path.exists(out):
        os.unlink(out)
    p = subprocess.run(["curl", "-s", "--max-time", "10", "-o", out, *args,
                        f"http://{ADDR}/object"], capture_output=True)
    if p.returncode:
        return None, f"exit {p.returncode}"
    return (open(out, "rb").read() if os.path.exists(out) else b""), "ok"


# ---- edgeward's readings -----------------------------------------------------

def readings(path):
    """SHA-256s of every object edgeward writes (decoded and wire)."""
    rc, events, err = ewtest.run_pcap([path], "--hash", "sha256")
    if rc not in (0, 1):
        raise RuntimeError(f"edgeward pcap {path}: exit {rc}: {err[-300:]}")
    out = set()
    for e in events:
        if e["event"] == "object" and e["kind"] == "response":
            out.add(e["sha256"])
            if e.get("wire"):
                out.add(e["wire"]["sha256"])
    return out


def captures(tmp, args):
    if args:
        return args
    gen = os.path.join(tmp, "gen")
    p = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "gen_framing.py"), gen],
                       capture_output=True, text=True)
    if p.returncode:
        raise RuntimeError(f"gen_framing.py: {p.stderr[-500:]}")
    files = sorted(glob.glob(os.path.join(gen, "*.pcap")))
    data = os.environ.get("EW_TESTDATA") or os.path.join(ewtest.repo_root(), "..",
                                                         "shared", "testdata")
    files += sorted(glob.glob(os.path.join(data, "pcaps", "evader", "*.pcap")))
    return files


def short(body, note):
    if body is None:
        return "error (" + note + ")"
    return "%d bytes %s" % (len(body), hashlib.sha256(body).hexdigest()[:12])


def check(path, clients, tmp):
    """Runs one capture through every client; returns (result, problems)."""
    have = readings(path)
    res, problems = {}, []
    for name, run in clients:
        body, note = run()
        res[name] = {"kept": body is not None, "note": note}
        if body is None:
            continue
        sha = hashlib.sha256(body).hexdigest()
        res[name].update(size=len(body), sha256=sha)
        if body and sha not in have:
            problems.append(f"{name} kept {short(body, note)}: not among edgeward's "
                            f"{len(have)} readings")
    return res, problems


def main():
    exe = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not os.access(exe, os.X_OK):
        skip(f"chromium is not installed ({exe}; apt-get install chromium)")
    if not shutil.which("curl"):
        skip("curl is not installed (apt-get install curl)")
    if subprocess.run(["/usr/bin/python3", "-c", "import scapy.all"],
                      capture_output=True).returncode:
        skip("python3-scapy is not installed (apt-get install python3-scapy)")
    if os.geteuid():
        skip("needs root (port 80 on a loopback address: Chromium reads HTTP/0.9 "
             "only on a default port)")
    if not os.environ.get("EW_REPLAY_NETNS"):  # again, in a namespace of its own
        os.environ["EW_REPLAY_NETNS"] = "1"
        try:
            os.execvp("unshare", ["unshare", "-n", "--", "sh", "-c",
                                  'ip link set lo up && exec "$0" "$@"',
                                  sys.executable, *sys.argv])
        except OSError as e:
            skip(f"couldn't run unshare -n (util-linux): {e}")
    ewtest.edgeward()
    try:
        replay = Replay()
    except OSError as e:
        skip(f"couldn't listen on {ADDR}:80: {e}")
    tmp = tempfile.mkdtemp(prefix="ew-replay-")
    chrome = Chromium(exe)
    clients = [("chromium", chrome.fetch), ("curl", lambda: curl(tmp)),
               ("curl --compressed", lambda: curl(tmp, "--compressed"))]
    report, failed, disagree, kept = {}, 0, 0, 0
    try:
        files = captures(tmp, sys.argv[1:])
        for path in files:
            replay.stream = server_stream(path)
            res, problems = check(path, clients, tmp)
            name = os.path.basename(path)
            report[name] = res
            kept += sum(r["kept"] for r in res.values())
            # the clients that decode: do they keep the same body?
            split = res["chromium"].get("sha256") != res["curl --compressed"].get("sha256")
            disagree += bool(split)
            print(f"{'ok  ' if not problems else 'FAIL'} {name}: " + "; ".join(
                f"{c} {('%d bytes' % r['size']) if r['kept'] else 'nothing'}"
                for c, r in res.items()) + (" (clients disagree)" if split else ""))
            for p in problems:
                print(f"       {p}")
            failed += bool(problems)
    finally:
        chrome.close()
        shutil.rmtree(tmp, ignore_errors=True)
    out = os.path.join(ewtest.repo_root(), os.environ.get("B", "build"),
                       "client-replay.json")
    with open(out, "w") as f:
        json.dump(report, f, indent=1, sort_keys=True)
    print(f"{len(files) - failed} of {len(files)} captures: every body a client kept "
          f"({kept} in all) is among edgeward's readings; clients disagree on "
          f"{disagree}; results in {out}")
    return 1 if failed or not files else 0


if __name__ == "__main__":
    sys.exit(main())
