#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages named in $1 (one per line, # comments) that are
# not installed yet. Needs root; does nothing when all are present.
set -eu
list=${1:-packages.txt}
missing=
for p in $(sed 's/#.*//' "$list"); do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "edgeward: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "edgeward: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
