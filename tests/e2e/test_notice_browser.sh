#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The notice pages in a real browser: Debian's headless chromium against
# the notice server on loopback (no namespaces needed; nothing leaves
# 127.0.0.0/8). tests/e2e/notice_browser.py says what is checked: the
# Hindi (and Tamil, Bengali) notice drawn with real glyphs, not boxes, and
# the acknowledge flow from the click to the server's table and expiry.
#
#   chromium ──CDP──▶ notice_browser.py ──stdin "acked ADDR CAT"──▶ notice_srv
#      │                                                                ▲
#      └──── HTTP 127.0.0.1:PORT (pages, POST /_ew/ack) ────────────────┘
#      └──── 303 ─▶ 127.0.0.1:ORIGIN (the page asked for)
set -e
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-build}
case $B in /*) ;; *) B=$ROOT/$B ;; esac
PY=$(command -v /usr/bin/python3 || command -v python3)

if ! command -v chromium >/dev/null; then
	echo "skipped: no chromium (apt-get install chromium; packages.txt has it)"
	exit 77
fi
if ! "$PY" -c 'import websocket, PIL' 2>/dev/null; then
	echo "skipped: python3-websocket or python3-pil missing (packages.txt has them)"
	exit 77
fi
if [ ! -x "$B/tests/e2e/notice_srv" ]; then
	echo "FAIL: $B/tests/e2e/notice_srv not built (make build-tests)"
	exit 1
fi
exec "$PY" "$ROOT/tests/e2e/notice_browser.py" "$B/tests/e2e/notice_srv" \
	"$ROOT/policies/notices" "$B/test-artifacts"
