#!/usr/bin/env bash
# scripts/pg-test-cluster.sh - a private, throw-away PostgreSQL cluster for
# the tests: under DIR, listening on 127.0.0.1:PORT only, trust auth for the
# superuser "postgres", its unix socket in DIR. Never touches a system
# cluster.
#
#   scripts/pg-test-cluster.sh start DIR [PORT]   create (first time) and start;
#                                                 prints the admin URL
#   scripts/pg-test-cluster.sh stop DIR           stop (fast); data is kept
#   scripts/pg-test-cluster.sh destroy DIR        stop and remove DIR
#   scripts/pg-test-cluster.sh url DIR            prints the admin URL
#
# Without PORT a free one is picked; it is kept in DIR/port, so a cluster
# stopped and started again listens where it did. Run as root, the server
# runs as the "postgres" user (initdb refuses root) and DIR is given to it.
# Needs Debian's postgresql package (initdb and pg_ctl of the newest
# /usr/lib/postgresql/*/bin, or PG_BINDIR).
set -euo pipefail

usage() {
    echo "usage: $0 start DIR [PORT] | stop DIR | destroy DIR | url DIR" >&2
    exit 2
}

[ $# -ge 2 ] || usage
cmd=$1
dir=$2
port_arg=${3:-}

bindir=${PG_BINDIR:-}
if [ -z "$bindir" ]; then
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/pg_ctl" ]; then
    echo "$0: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
    exit 1
fi

# as_owner CMD...: runs CMD as the cluster's owner.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

url() {
    echo "postgresql://postgres@127.0.0.1:$(cat "$dir/port")/postgres"
}

# port_busy PORT: true if something accepts connections on 127.0.0.1:PORT.
port_busy() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A port below the kernel's ephemeral range: one picked inside it can be
# taken by an outgoing connection's local end before the server binds it.
pick_port() {
    local p low
    low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
    [ "$low" -gt 12000 ] 2>/dev/null || low=32768
    for _ in $(seq 1 50); do
        p=$((10000 + RANDOM % (low - 10000)))
        if ! port_busy "$p"; then
            echo "$p"
            return
        fi
    done
    echo "$0: no free port found" >&2
    exit 1
}

init_cluster() {
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$dir"
    fi
    chmod 700 "$dir"
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale \
        --no-sync >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
    }
}

start() {
    [ -f "$dir/data/PG_VERSION" ] || init_cluster
    if [ -n "$port_arg" ]; then
        echo "$port_arg" >"$dir/port"
    elif [ ! -f "$dir/port" ]; then
        pick_port >"$dir/port"
    fi
    [ "$(id -u)" -ne 0 ] || chown postgres: "$dir/port"
    local port
    port=$(cat "$dir/port")
    if as_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        url # already running
        return
    fi
    # Fast and disposable: no fsync; enough connections for parallel tests.
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o \
        "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir \
         -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
         -c max_connections=300 -c shared_buffers=32MB" >/dev/null || {
        tail -n 20 "$dir/server.log" >&2
        exit 1
    }
    url
}

stop() {
    [ -f "$dir/data/PG_VERSION" ] || return 0
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
}

case $cmd in
start) start ;;
stop) stop ;;
destroy)
    stop
    rm -rf "$dir"
    ;;
url) url ;;
*) usage ;;
esac
