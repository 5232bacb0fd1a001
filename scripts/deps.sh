#!/bin/sh
# Installs the Debian packages latchkey builds and tests with, if any is
# missing. Runs apt-get only when needed (as root, or through sudo).
set -eu
PKGS="build-essential pkg-config libmicrohttpd-dev libsodium-dev libjansson-dev libsqlite3-dev
libcrypt-dev libcmocka-dev nodejs libpq-dev postgresql librhonabwy-dev npm libhiredis-dev
redis-server nginx libcurl4-openssl-dev python3-aiosmtpd openssl"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
        missing="$missing $p"
    fi
done
# Node 20 may come from outside Debian's packages (nodesource, nvm): accept
# any node >= 18 on PATH instead of Debian's package.
if command -v node >/dev/null 2>&1; then
    missing=$(echo "$missing" | sed 's/ nodejs//')
fi
# Likewise npm (it installs the e2e suite's tests/e2e/package.json).
if command -v npm >/dev/null 2>&1; then
    missing=$(echo "$missing" | sed 's/ npm$//; s/ npm / /')
fi
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "deps: installing$missing"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
