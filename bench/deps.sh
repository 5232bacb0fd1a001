#!/bin/sh
# Installs what `make bench` needs beyond the build (scripts/deps.sh): wrk
# (the load generator), nginx (the baseline), PostgreSQL (scenario 1p), and
# for `make bench-floor` h2o's library (libh2o-evloop-dev) and valgrind.
# Kept apart so machines that only build never install them.
set -eu
PKGS="wrk nginx postgresql libh2o-evloop-dev valgrind"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "bench deps: installing$missing"
$SUDO apt-get update -q
# policy-rc.d-less machines would start the packaged nginx on port 80; the
# bench never uses that one (it runs its own, see bench/run.sh).
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
