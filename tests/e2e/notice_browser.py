#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The notice pages in a real browser (Debian's headless chromium, driven
over the Chrome DevTools Protocol), against the notice server on loopback
(tests/e2e/notice_srv):

 1. The Hindi block notice renders Devanagari glyphs, not boxes: the
    heading's text is drawn with a font that has Devanagari (the fonts
    Chromium reports for it, CSS.getPlatformFontsForNode), and its pixels
    differ from the same page drawn with the Indic fonts hidden (a
    fontconfig file that lists only DejaVu, which has no Devanagari: the
    boxes). The check is run on both renders, so it is seen to fail on the
    boxes. Tamil and Bengali the same way.
 2. Acknowledging a disclaimer: a GET of the acknowledge URL does nothing;
    the page's button, clicked with the mouse, posts the form, the browser
    follows the 303 to the page it asked for, and the server's table says
    this subscriber acknowledged this category (not another category, not
    another address); the same token posted from another loopback address
    (127.0.0.2) is refused; the acknowledgement expires after its lifetime.

Usage: notice_browser.py NOTICE_SRV TEMPLATES_DIR ARTIFACTS_DIR
Exit 0 passed, 1 failed, 77 skipped (no chromium, no websocket module)."""
import base64
import http.client
import http.server
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

try:
    import websocket  # python3-websocket
    from PIL import Image, ImageChops  # python3-pil
except ImportError as e:
    print("skipped: %s (install python3-websocket, python3-pil)" % e)
    sys.exit(77)

ACK_MS = 3000
SCRIPTS = {  # language: (a font family that has the script, words of its heading)
    "hi": ("Devanagari", "अवरुद्ध"),
    "ta": ("Tamil", "தடுக்கப்பட்டுள்ளது"),
    "bn": ("Bengali", "অবরুদ্ধ"),
}


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def ok(msg):
    print("  ok: " + msg)


class Browser:
    """One headless chromium and one page, over CDP."""

    def __init__(self, tmp, env=None):
        self.profile = tempfile.mkdtemp(dir=tmp)
        self.proc = subprocess.Popen(
            ["chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
             "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
             "--user-data-dir=" + self.profile, "--window-size=900,700",
             "--lang=en-US", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=dict(os.environ, **(env or {})))
        port = self._port()
        for _ in range(50):
            targets = json.load(urllib.request.urlopen(
                "http://127.0.0.1:%d/json/list" % port, timeout=5))
            pages = [t for t in targets if t["type"] == "page"]
            if pages:
                break
            time.sleep(0.1)
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=20)
        self.next_id = 0
        self.events = []
        for domain in ("Page", "DOM", "CSS", "Network"):
            self.call(domain + ".enable")

    def _port(self):
        path = os.path.join(self.profile, "DevToolsActivePort")
        for _ in range(100):
            if os.path.exists(path):
                with open(path) as f:
                    first = f.readline().strip()
                if first:
                    return int(first)
            time.sleep(0.1)
        fail("chromium did not start (no DevToolsActivePort)")

    def call(self, method, **params):
        self.next_id += 1
        mid = self.next_id
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == mid:
                if "error" in msg:
                    fail("%s: %s" % (method, msg["error"]))
                return msg.get("result", {})
            self.events.append(msg)

    def wait_event(self, name, timeout=15):
        end = time.time() + timeout
        while time.time() < end:
            for i, e in enumerate(self.events):
                if e.get("method") == name:
                    del self.events[: i + 1]
                    return e["params"]
            self.ws.settimeout(max(0.1, end - time.time()))
            try:
                self.events.append(json.loads(self.ws.recv()))
            except websocket.WebSocketTimeoutException:
                break
        fail("no %s within %d s" % (name, timeout))

    def load(self, url, headers=None):
        if headers:
            self.call("Network.setExtraHTTPHeaders", headers=headers)
        self.events.clear()
        self.call("Page.navigate", url=url)
        self.wait_event("Page.loadEventFired")

    def js(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True)
        return r["result"].get("value")

    def node(self, selector):
        root = self.call("DOM.getDocument")["root"]["nodeId"]
        n = self.call("DOM.querySelector", nodeId=root, selector=selector)["nodeId"]
        if not n:
            fail("no %s on the page" % selector)
        return n

    def rect(self, selector):
        return self.js("(() => { const r = document.querySelector(%s)"
                       ".getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; })()"
                       % json.dumps(selector))

    def shot(self, selector):
        x, y, w, h = self.rect(selector)
        png = self.call("Page.captureScreenshot", format="png",
                        clip={"x": x, "y": y, "width": w, "height": h, "scale": 1})
        return base64.b64decode(png["data"])

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def fonts_of(browser, selector):
    """The platform fonts chromium drew the text of selector with."""
    fonts = browser.call("CSS.getPlatformFontsForNode", nodeId=browser.node(selector))["fonts"]
    return {f["familyName"]: f["glyphCount"] for f in fonts}


def glyphs_drawn(fonts, script):
    """Were the heading's letters drawn with a font made for script? On
    boxes, chromium reports a font without it (DejaVu) or none."""
    return any(script.lower() in name.lower() and n > 0 for name, n in fonts.items())


def differing(a, b):
    """Share of the pixels of two PNGs (the same size) that differ."""
    ia, ib = Image.open(io.BytesIO(a)).convert("L"), Image.open(io.BytesIO(b)).convert("L")
    if ia.size != ib.size:
        return 1.0
    diff = ImageChops.difference(ia, ib).point(lambda v: 255 if v > 40 else 0)
    return sum(1 for v in diff.getdata() if v) / float(ia.size[0] * ia.size[1])


def hidden_fonts_env(tmp):
    """A fontconfig that knows only DejaVu: Indic text becomes boxes."""
    conf = os.path.join(tmp, "fonts-dejavu-only.conf")
    with open(conf, "w") as f:
        f.write('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
                "<fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir>"
                "<cachedir>%s/fc-cache</cachedir></fontconfig>\n" % tmp)
    return {"FONTCONFIG_FILE": conf}


def render_scripts(base, tmp, art):
    """Check 1: each script's block notice, with its fonts and without."""
    shots = {}
    for label, env in (("fonts", None), ("hidden", hidden_fonts_env(tmp))):
        b = Browser(tmp, env)
        for lang, (script, word) in SCRIPTS.items():
            b.load(base + "/some/page", {"Accept-Language": lang})
            if word not in (b.js("document.querySelector('h1').textContent") or ""):
                fail("%s: the %s notice's heading lacks '%s'" % (label, lang, word))
            png = b.shot("h1")
            with open(os.path.join(art, "notice-%s-%s.png" % (lang, label)), "wb") as f:
                f.write(png)
            shots[lang, label] = (png, glyphs_drawn(fonts_of(b, "h1"), script),
                                  fonts_of(b, "h1"))
        b.close()
    for lang, (script, _) in SCRIPTS.items():
        good, bad = shots[lang, "fonts"], shots[lang, "hidden"]
        if not good[1]:
            fail("%s heading drawn without a %s font (boxes): fonts %s; install "
                 "fonts-lohit-* or fonts-noto-core" % (lang, script, good[2]))
        if bad[1]:
            fail("%s: the check cannot fail: with the fonts hidden it still saw a %s "
                 "font (%s)" % (lang, script, bad[2]))
        share = differing(good[0], bad[0])
        if share < 0.02:
            fail("%s: the heading looks the same with and without %s fonts (%.1f%% of "
                 "pixels differ): boxes both times?" % (lang, script, 100 * share))
        ok("%s notice drawn with %s (%s); %.0f%% of its heading's pixels differ from the "
           "boxes drawn without the fonts (%s)" % (lang, script, ", ".join(good[2]),
                                                   100 * share, ", ".join(bad[2]) or "none"))


class Origin(http.server.BaseHTTPRequestHandler):
    """The page the subscriber wanted, on another loopback port."""

    def do_GET(self):
        body = b"<!DOCTYPE html><html><body><h1 id=origin>the page itself</h1></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def ask(srv, addr, category):
    srv.stdin.write("acked %s %s\n" % (addr, category))
    srv.stdin.flush()
    return srv.stdout.readline().strip()


def status_of(port, method, path, body=None, source="127.0.0.1"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    hdrs = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
    c.request(method, path, body=body, headers=hdrs)
    r = c.getresponse()
    r.read()
    c.close()
    return r.status


def acknowledge(srv, port, tmp):
    """Check 2: the acknowledge flow in the browser."""
    origin = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Origin)
    threading.Thread(target=origin.serve_forever, daemon=True).start()
    want = "http://127.0.0.1:%d/wanted" % origin.server_port
    warn = "http://127.0.0.1:%d/_ew/warn?%s" % (port, urllib.parse.urlencode(
        {"category": "adult", "url": want}))
    b = Browser(tmp)
    b.load(warn, {"Accept-Language": "hi"})
    if "पॉक्सो" not in b.js("document.body.innerText"):
        fail("the Hindi disclaimer does not name the POCSO Act")
    token = b.js("document.querySelector('input[name=token]').value")
    if status_of(port, "GET", "/_ew/ack?" + urllib.parse.urlencode(
            {"token": token, "category": "adult", "url": want})) != 405:
        fail("a GET of the acknowledge URL was not refused with 405")
    form = urllib.parse.urlencode({"token": token, "category": "adult", "url": want})
    if status_of(port, "POST", "/_ew/ack", form, source="127.0.0.2") != 403:
        fail("the token was accepted from another address")
    if ask(srv, "127.0.0.1", "adult") != "no" or ask(srv, "127.0.0.2", "adult") != "no":
        fail("acknowledged before the button was clicked")
    ok("a GET link and a post from another address acknowledge nothing")
    x, y, w, h = b.rect("#ack")
    b.events.clear()
    for kind in ("mousePressed", "mouseReleased"):
        b.call("Input.dispatchMouseEvent", type=kind, x=x + w / 2, y=y + h / 2,
               button="left", clickCount=1)
    b.wait_event("Page.loadEventFired")
    landed = b.js("location.href")
    if landed != want or b.js("document.getElementById('origin') !== null") is not True:
        fail("after the click the browser is at %s, not %s" % (landed, want))
    if ask(srv, "127.0.0.1", "adult") != "yes":
        fail("the server's table does not have the acknowledgement")
    if ask(srv, "127.0.0.1", "gambling") != "no" or ask(srv, "127.0.0.3", "adult") != "no":
        fail("the acknowledgement covers another category or address")
    ok("the button posted the form, the browser went on to %s, 127.0.0.1 acknowledged "
       "'adult' (only)" % want)
    b.close()
    origin.shutdown()
    time.sleep(ACK_MS / 1000.0 + 0.5)
    if ask(srv, "127.0.0.1", "adult") != "no":
        fail("the acknowledgement did not expire after %d ms" % ACK_MS)
    ok("the acknowledgement expired after %d ms" % ACK_MS)


def main():
    tool, templates, art = sys.argv[1:4]
    if not shutil.which("chromium"):
        print("skipped: no chromium (apt-get install chromium)")
        sys.exit(77)
    os.makedirs(art, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="ew-notice-")
    srv = subprocess.Popen([tool, templates, "127.0.0.1:0", str(ACK_MS)], text=True,
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        first = srv.stdout.readline().split()
        if len(first) != 2 or first[0] != "port":
            fail("notice_srv did not start")
        port = int(first[1])
        render_scripts("http://127.0.0.1:%d" % port, tmp, art)
        acknowledge(srv, port, tmp)
    finally:
        srv.stdin.close()
        srv.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    print("passed")


if __name__ == "__main__":
    main()
