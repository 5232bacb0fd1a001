#!/bin/sh
# scripts/deps.sh [build|test|fuzz|all] - installs the Debian packages latchkey
# needs, if any is missing. Runs apt-get only when needed (as root, or
# through sudo).
#
#   build  what building needs: compiler, pkg-config, the -dev libraries,
#          libcrypt (`make`, `make run`)
#   test   what the tests run: cmocka, PostgreSQL, Redis, nginx, Node and npm,
#          aiosmtpd, openssl, Chromium for the dashboard's browser tests
#          (`make check`, `make sanitize`)
#   fuzz   what `make fuzz` needs: clang with libFuzzer and the sanitizers,
#          OpenSSL's headers (the JWT claims harness signs with libcrypto)
#   all    build and test (the default; .ci/run installs fuzz too)
set -eu
BUILD_PKGS="build-essential pkg-config libmicrohttpd-dev libsodium-dev libjansson-dev
libsqlite3-dev libcrypt-dev libpq-dev libssl-dev libhiredis-dev libcurl4-openssl-dev"
FUZZ_PKGS="clang libclang-rt-14-dev libssl-dev"
TEST_PKGS="libcmocka-dev postgresql redis-server nginx nodejs npm python3-aiosmtpd python3-jwt python3-cryptography python3-bcrypt openssl chromium groff-base man-db systemd prometheus"
case "${1:-all}" in
build) PKGS=$BUILD_PKGS ;;
test) PKGS=$TEST_PKGS ;;
fuzz) PKGS=$FUZZ_PKGS ;;
all) PKGS="$BUILD_PKGS $TEST_PKGS" ;;
*)
    echo "usage: scripts/deps.sh [build|test|fuzz|all]" >&2
    exit 2
    ;;
esac
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
