#!/usr/bin/env bash
# scripts/fresh-check.sh - proves that the README's two commands, `make run`
# and `make check`, work as written on a Debian 12 machine with nothing
# installed (`make fresh-check`; too slow for CI: run it whenever the build
# or its package lists change).
#
# As root: builds a Debian 12 (bookworm) minbase chroot with debootstrap
# from the mirror this machine's apt sources name, adds what the README
# takes for granted (make and git), checks that none of
# scripts/deps.sh's packages is in it, clones the current HEAD into
# /root/latchkey, then inside the chroot runs `make run` in the background
# until GET /readyz answers 200, stops the server (SIGTERM), checks that it
# installed none of the test packages, and runs `make check`, whose last
# line must be "N passed, 0 failed".
#
# The base system (before any latchkey package) is cached as a tarball in
# $LATCHKEY_FRESH_CACHE (default ~/.cache/latchkey/fresh-check), so a rerun
# skips debootstrap; each run unpacks it into a new directory under
# ${TMPDIR:-/var/tmp}, removed at exit with everything mounted in it.
# Services the packages would start (PostgreSQL's main cluster, Redis,
# nginx) are held back by a policy-rc.d, as in any chroot: they would listen
# on the host's ports. The host's DNS settings and local CAs (a TLS-
# intercepting egress proxy's) are passed on, nothing else. If 127.0.0.1:8080 is taken on the host (the chroot
# shares its network), `make run` gets LATCHKEY_LISTEN with a free port.
#
# Ends with one line "fresh-check: passed in Ns" or "fresh-check: FAILED
# (...)"; exits non-zero on failure. Logs stay in the printed directory.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
suite=bookworm
cache=${LATCHKEY_FRESH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/latchkey/fresh-check}
run_timeout=${LATCHKEY_FRESH_RUN_TIMEOUT:-1800}     # seconds for `make run` to answer /readyz
check_timeout=${LATCHKEY_FRESH_CHECK_TIMEOUT:-3600} # seconds for `make check`
started=$(date +%s)

say() { echo "=== fresh-check: $*"; }
fail() {
    say "$*"
    echo "fresh-check: FAILED ($*)"
    exit 1
}

[ "$(id -u)" -eq 0 ] || fail "must run as root (debootstrap, chroot, mount)"
command -v curl >/dev/null || fail "curl is needed on the host"
if ! command -v debootstrap >/dev/null; then
    say "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap ||
        fail "cannot install debootstrap"
fi

# The first Debian mirror of this machine's apt sources (deb822 or one-line).
mirror() {
    local m
    m=$(grep -hs -E '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{ print $2 }' |
        grep -v -- '-security' | head -n 1 || true)
    [ -n "$m" ] || m=$(grep -hs -E '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
        awk '{ print $2 }' | grep -v -- '-security' | head -n 1 || true)
    echo "${m:-http://deb.debian.org/debian}"
}

work=""
logs=$(mktemp -d "${TMPDIR:-/var/tmp}/latchkey-fresh-logs.XXXXXX")

# Every process whose root is the chroot (the server, make, postgres...).
chroot_pids() {
    local p r
    for p in /proc/[0-9]*; do
        r=$(readlink "$p/root" 2>/dev/null) || continue
        [ "$r" = "$work" ] && echo "${p#/proc/}"
    done
    return 0
}

cleanup() {
    local rc=$?
    set +e
    if [ -n "$work" ]; then
        local pids
        pids=$(chroot_pids)
        if [ -n "$pids" ]; then
            # shellcheck disable=SC2086
            kill -TERM $pids 2>/dev/null
            sleep 2
            pids=$(chroot_pids)
            # shellcheck disable=SC2086
            [ -z "$pids" ] || kill -KILL $pids 2>/dev/null
            sleep 1
        fi
        # Innermost first; lazily if something still holds one.
        findmnt -rn -o TARGET | grep -F "$work/" | sort -r | while read -r m; do
            umount "$m" 2>/dev/null || umount -l "$m"
        done
        if findmnt -rn -o TARGET | grep -qF "$work/"; then
            say "still mounted under $work: not removed"
        else
            rm -rf --one-file-system "$work"
        fi
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- base system
base=$cache/$suite-minbase.tar
if [ ! -s "$base" ]; then
    mkdir -p "$cache"
    tmpbase=$(mktemp -d "${TMPDIR:-/var/tmp}/latchkey-fresh-base.XXXXXX")
    say "debootstrap $suite from $(mirror) (cached in $base afterwards)"
    if ! debootstrap --variant=minbase --include=make,git "$suite" "$tmpbase" \
        "$(mirror)" >"$logs/debootstrap.log" 2>&1; then
        tail -n 20 "$logs/debootstrap.log"
        rm -rf --one-file-system "$tmpbase"
        fail "debootstrap failed (log: $logs/debootstrap.log)"
    fi
    rm -rf "$tmpbase"/var/cache/apt/archives/*.deb
    tar -C "$tmpbase" -cf "$base.tmp" . && mv "$base.tmp" "$base"
    rm -rf --one-file-system "$tmpbase"
fi

work=$(mktemp -d "${TMPDIR:-/var/tmp}/latchkey-fresh.XXXXXX")
say "unpacking the base system into $work"
tar -C "$work" -xf "$base"
# The chroot's / as on any machine: mktemp's 0700 would keep every user but
# root (postgres running initdb for the tests) from resolving a path.
chmod 755 "$work"

# The machine's apt sources and settings (its mirror), its DNS, and no
# service starts inside the chroot.
cp /etc/resolv.conf "$work/etc/resolv.conf"
rm -f "$work/etc/apt/sources.list"
cp -a /etc/apt/sources.list.d/. "$work/etc/apt/sources.list.d/"
find "$work/etc/apt/sources.list.d" -name '*.disabled*' -delete
[ ! -f /etc/apt/sources.list ] || cp /etc/apt/sources.list "$work/etc/apt/sources.list"
if apt-config dump | grep -q 'Acquire::Check-Valid-Until "false"'; then
    echo 'Acquire::Check-Valid-Until "false";' >"$work/etc/apt/apt.conf.d/99fresh-check"
fi
# A network that intercepts TLS (an egress proxy) has its CA among this
# machine's local ones: hand them to Node (npm ci reaches the npm registry
# over https) as NODE_EXTRA_CA_CERTS. A machine on an open network has none,
# and no package is installed for it.
extra_ca=""
if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
    cat /usr/local/share/ca-certificates/*.crt >"$work/etc/fresh-check-extra-ca.pem"
    extra_ca=/etc/fresh-check-extra-ca.pem
fi
printf '#!/bin/sh\nexit 101\n' >"$work/usr/sbin/policy-rc.d"
chmod 755 "$work/usr/sbin/policy-rc.d"

# /sys and /dev (with /dev/pts) as slaves: unmounting them here never
# reaches the host's.
mkdir -p "$work/proc" "$work/sys" "$work/dev"
mount -t proc proc "$work/proc"
for m in sys dev; do
    mount --rbind "/$m" "$work/$m"
    mount --make-rslave "$work/$m"
done

# installed PKG...: those of the packages installed in the chroot.
installed() {
    local p
    for p in "$@"; do
        if chroot "$work" dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
            printf ' %s' "$p"
        fi
    done
}

# None of latchkey's packages may be there before `make run`.
test_pkgs=$(sed -n 's/^TEST_PKGS="\(.*\)"$/\1/p' "$root/scripts/deps.sh")
[ -n "$test_pkgs" ] || fail "no TEST_PKGS line in scripts/deps.sh"
pkgs=$(sed -n '/^BUILD_PKGS="/,/^TEST_PKGS=/p' "$root/scripts/deps.sh" | tr -d '"' |
    sed 's/^[A-Z_]*=//' | tr ' ' '\n' | grep -v '^$')
# shellcheck disable=SC2086
present=$(installed $pkgs)
[ -z "$present" ] || fail "the base system already has:$present"
for t in cc pkg-config node psql redis-server; do
    ! chroot "$work" sh -c "command -v $t" >/dev/null || fail "the base system already has $t"
done

# ---------------------------------------------------------------- clone
head=$(git -C "$root" rev-parse HEAD)
say "cloning $head"
git clone -q --no-checkout "$root" "$work/root/latchkey"
git -C "$work/root/latchkey" checkout -q --detach "$head"

# in_chroot CMD: runs CMD with bash in the clone, as root, in a clean
# environment (what a login shell on the fresh machine has).
in_chroot() {
    chroot "$work" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        ${listen:+LATCHKEY_LISTEN=$listen} ${extra_ca:+NODE_EXTRA_CA_CERTS=$extra_ca} \
        bash -c "cd /root/latchkey && $1"
}

# ---------------------------------------------------------------- make run
listen=""
port=8080
if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:8080/"; then
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    listen=127.0.0.1:$port
    say "127.0.0.1:8080 is taken on this host: make run listens on $listen"
fi
say "make run (log: $logs/run.log)"
t0=$(date +%s)
in_chroot "make run" >"$logs/run.log" 2>&1 &
run_pid=$!
ready=""
while kill -0 "$run_pid" 2>/dev/null; do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/readyz")" = 200 ]; then
        ready=1
        break
    fi
    [ $(($(date +%s) - t0)) -lt "$run_timeout" ] || break
    sleep 2
done
if [ -z "$ready" ]; then
    tail -n 30 "$logs/run.log"
    fail "make run did not answer /readyz (log: $logs/run.log)"
fi
say "make run: /readyz answered 200 after $(($(date +%s) - t0))s"
grep -q 'one-time password' "$logs/run.log" || fail "make run printed no first-start owner"
for p in $(chroot_pids); do
    [ "$(cat "/proc/$p/comm" 2>/dev/null)" = latchkey ] && kill -TERM "$p"
done
wait "$run_pid" || true
grep -q 'event=stopped' "$logs/run.log" || fail "the server did not stop on SIGTERM"
# `make run` installs what building needs, not the test tools.
# shellcheck disable=SC2086
present=$(installed $test_pkgs)
[ -z "$present" ] || fail "make run installed test packages:$present"
listen=""

# ---------------------------------------------------------------- make check
say "make check (log: $logs/check.log)"
t0=$(date +%s)
set +e
in_chroot "timeout $check_timeout make check" >"$logs/check.log" 2>&1
check_rc=$?
set -e
last=$(tail -n 1 "$logs/check.log")
say "make check: exit $check_rc after $(($(date +%s) - t0))s, last line: $last"
if [ "$check_rc" -ne 0 ] || ! echo "$last" | grep -qE '^[0-9]+ passed, 0 failed$'; then
    grep -E 'not ok|# fail|FAIL' "$logs/check.log" | head -n 20
    fail "make check failed (log: $logs/check.log)"
fi
echo "fresh-check: passed in $(($(date +%s) - started))s ($head; logs in $logs)"
