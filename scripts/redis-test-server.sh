#!/usr/bin/env bash
# scripts/redis-test-server.sh start [DIR] | stop [DIR] - a private Redis for the tests.
#
#   start  starts redis-server on a free loopback port, with its files under
#          DIR (default: a new temp dir), no persistence (no RDB, no AOF),
#          and prints the variables to export, for eval:
#              export LATCHKEY_TEST_REDIS_URL=redis://127.0.0.1:PORT/0
#              export LATCHKEY_TEST_REDIS_DIR=DIR
#   stop   stops the instance of DIR (default $LATCHKEY_TEST_REDIS_DIR) and
#          removes DIR.
#
# Used by scripts/run-tests.sh (when LATCHKEY_TEST_REDIS_URL is unset) and
# .ci/run. Needs Debian's redis-server (scripts/deps.sh installs it).
# Diagnostics go to stderr; stdout carries only the export lines.
set -u

die() {
    echo "redis-test-server: $*" >&2
    exit 1
}

# redis_bin: the redis-server binary (PATH, or Debian's location).
redis_bin() {
    if command -v redis-server >/dev/null 2>&1; then
        command -v redis-server
    elif [ -x /usr/bin/redis-server ]; then
        echo /usr/bin/redis-server
    else
        return 1
    fi
}

# ping PORT: true once something answers PONG on 127.0.0.1:PORT.
ping() {
    local reply
    reply=$(
        exec 2>/dev/null 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
        printf 'PING\r\n' >&3 && timeout 1 head -c 7 <&3
    ) || return 1
    [ "${reply%$'\r'*}" = "+PONG" ]
}

# in_use PORT: true if something listens on 127.0.0.1:PORT.
in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
    local dir=${1:-} bin port pid tries low
    bin=$(redis_bin) || die "redis-server not found (apt-get install redis-server)"
    if [ -z "$dir" ]; then
        dir=$(mktemp -d "${TMPDIR:-/tmp}/latchkey-redis.XXXXXX") || die "cannot create a temp dir"
    fi
    mkdir -p "$dir" || die "cannot create $dir"
    # Below the kernel's ephemeral range, where outgoing connections take
    # their local ports.
    low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
    [ "$low" -gt 12000 ] 2>/dev/null || low=32768
    for tries in 1 2 3 4 5 6 7 8; do
        port=$((10000 + RANDOM % (low - 10000)))
        in_use "$port" && continue
        # Not daemonized: the pid we get is the server's, and a bind failure
        # shows up as the process exiting.
        setsid "$bin" --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
            --dir "$dir" --logfile "$dir/redis.log" --daemonize no \
            </dev/null >/dev/null 2>&1 &
        pid=$!
        echo "$pid" >"$dir/redis.pid"
        echo "$port" >"$dir/redis.port"
        for _ in $(seq 1 100); do
            if ! kill -0 "$pid" 2>/dev/null; then
                break
            fi
            if ping "$port"; then
                echo "export LATCHKEY_TEST_REDIS_URL=redis://127.0.0.1:$port/0"
                echo "export LATCHKEY_TEST_REDIS_DIR=$dir"
                echo "redis-test-server: redis-server pid $pid on 127.0.0.1:$port ($dir)" >&2
                return 0
            fi
            sleep 0.05
        done
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        echo "redis-test-server: attempt $tries on port $port failed" >&2
    done
    [ -f "$dir/redis.log" ] && tail -n 20 "$dir/redis.log" >&2
    die "could not start redis-server"
}

stop() {
    local dir=${1:-${LATCHKEY_TEST_REDIS_DIR:-}} pid
    [ -n "$dir" ] || die "stop: no DIR given and LATCHKEY_TEST_REDIS_DIR is unset"
    [ -d "$dir" ] || return 0
    if [ -f "$dir/redis.pid" ]; then
        pid=$(cat "$dir/redis.pid")
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null
            for _ in $(seq 1 100); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.05
            done
            kill -9 "$pid" 2>/dev/null
        fi
    fi
    rm -rf "$dir"
}

case ${1:-} in
start) start "${2:-}" ;;
stop) stop "${2:-}" ;;
*)
    echo "usage: scripts/redis-test-server.sh start [DIR] | stop [DIR]" >&2
    exit 2
    ;;
esac
