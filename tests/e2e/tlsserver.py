#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A small HTTPS server for the end-to-end tests: [::]:PORT, IPv4 and IPv6,
any server name, one line of text for any request. It waits DELAY seconds
after accepting before it reads the ClientHello, as a server some
milliseconds away would: the edge's agent reads the name from its mirror
meanwhile, as it would on a real network.

  tlsserver.py CERT KEY [PORT] [DELAY]
"""
import socket
import ssl
import sys
import threading
import time


def serve(conn, ctx, delay):
    try:
        time.sleep(delay)
        with ctx.wrap_socket(conn, server_side=True) as tls:
            tls.settimeout(5)
            tls.recv(4096)
            body = b"edgeward tls ok\n"
            tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                        % len(body) + body)
    except (OSError, ssl.SSLError):
        pass
    finally:
        conn.close()


def main():
    cert, key = sys.argv[1], sys.argv[2]
    port = int(sys.argv[3]) if len(sys.argv) > 3 else 443
    delay = float(sys.argv[4]) if len(sys.argv) > 4 else 0.05
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("::", port))
    srv.listen(64)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn, ctx, delay), daemon=True).start()


if __name__ == "__main__":
    main()
