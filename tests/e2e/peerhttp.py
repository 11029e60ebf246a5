#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""An HTTP file server for the e2e tests that logs who it served.

  peerhttp.py DIR LOG PORT [PORT ...]

Serves DIR on [::]:PORT for IPv4 and IPv6 (one thread per port) and appends
one line per request to LOG: "CLIENT_IP CLIENT_PORT LOCAL_PORT PATH", the
client as this server sees it (IPv4 without the ::ffff: prefix), so a test
can check that a transparent proxy on the way kept the client's address
and port.
"""
import functools
import http.server
import socket
import sys
import threading


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_request(self, code="-", size="-"):
        ip, port = self.client_address[:2]
        if ip.startswith("::ffff:"):
            ip = ip[7:]
        line = "%s %d %d %s\n" % (ip, port, self.server.server_address[1], self.path)
        with open(self.server.peer_log, "a") as f:
            f.write(line)

    def log_message(self, *args):
        pass


class DualStack(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


def main(argv):
    if len(argv) < 4:
        sys.exit(__doc__)
    root, log, ports = argv[1], argv[2], [int(p) for p in argv[3:]]
    handler = functools.partial(Handler, directory=root)
    servers = []
    for port in ports:
        srv = DualStack(("::", port), handler)
        srv.peer_log = log
        servers.append(srv)
    for srv in servers[1:]:
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    servers[0].serve_forever()


if __name__ == "__main__":
    main(sys.argv)
