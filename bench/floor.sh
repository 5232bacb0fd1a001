#!/usr/bin/env bash
# bench/floor.sh BUILD_DIR - is libmicrohttpd the floor? (issue 19; `make bench-floor`)
#
# Runs five servers on loopback, each answering GET with 200 and the same
# 15-byte JSON body: nginx's `return 200` (as bench/run.sh configures it),
# (a) libmicrohttpd configured as src/http/httpd.c configures it, (b) h2o's
# library with its own event loop, (c) a minimal HTTP/1.1 server of our own
# on epoll (bench/floor/), and latchkey itself on GET /api/v1/auth/user with
# a Sanctum token (the database set up as bench/run.sh sets it up). Then:
#
#   1. wrk -t2 -c64, the servers in turn in every round (BENCH_ROUNDS rounds
#      of BENCH_SECONDS); the best run of each, its ratio to nginx's best,
#      and the server's CPU per request (user and system, from
#      /proc/PID/stat over the run: load changes it less than req/s, but
#      does change it);
#   2. user-space instructions per request under callgrind, which load does
#      not change: each server under valgrind, BENCH_CG_WARM requests, the
#      counters zeroed, then BENCH_CG_N1 and BENCH_CG_N2 sequential
#      keep-alive requests (bench/floor/kaclient), each followed by a dump;
#      (dump2 - dump1) / (N2 - N1) cancels start-up and idle work. The
#      instructions memset ran are shown apart: callgrind counts its
#      `rep stosb` once per byte, the CPU clears tens of bytes per cycle.
#
# Every request is the same bytes (wrk's bench/lua/user.lua, with the
# token): the floor servers ignore the Authorization header.
#
# Environment (defaults in brackets): BENCH_SECONDS [10], BENCH_ROUNDS [3],
# BENCH_WRK_THREADS [2], BENCH_CALLGRIND [1] ("0" skips part 2),
# BENCH_CG_WARM [200], BENCH_CG_N1 [1000], BENCH_CG_N2 [3000], BENCH_OUT
# [bench/results] where the table is written too (floor-DATE-COMMIT.md).
set -euo pipefail

build=${1:-build-bench}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
case $build in /*) ;; *) build=$root/$build ;; esac
BIN=$build/latchkey
FLOOR=$build/bench/floor
for f in "$BIN" "$FLOOR/mhd" "$FLOOR/h2o" "$FLOOR/epoll" "$FLOOR/kaclient"; do
    [ -x "$f" ] || { echo "floor: $f is missing (run make bench-floor)" >&2; exit 2; }
done
NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
SECONDS_RUN=${BENCH_SECONDS:-10}
ROUNDS=${BENCH_ROUNDS:-3}
WRK_THREADS=${BENCH_WRK_THREADS:-2}
CALLGRIND=${BENCH_CALLGRIND:-1}
CG_WARM=${BENCH_CG_WARM:-200}
CG_N1=${BENCH_CG_N1:-1000}
CG_N2=${BENCH_CG_N2:-3000}
OUT_DIR=${BENCH_OUT:-$root/bench/results}
export BENCH_LUA=$root/bench/lua
TICK=$(getconf CLK_TCK)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/latchkey-floor.XXXXXX")
declare -A pid port
cleanup() {
    local s
    for s in "${!pid[@]}"; do
        kill "${pid[$s]}" 2>/dev/null && wait "${pid[$s]}" 2>/dev/null
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "floor: $*" >&2; }

# Below the ephemeral range (32768-60999), where a client socket of
# another program may hold the number without listening on it.
free_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 12000))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
}

# wait_port PORT TRIES PID: until PORT accepts connections (0.1 s per
# try), as long as PID lives.
wait_port() {
    for _ in $(seq "$2"); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        kill -0 "$3" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# ------------------------------------------------------------------ servers

# nginx's configuration of bench/run.sh's baseline; $1 the port, $2 extra
# main-context lines.
nginx_conf() {
    local d=$tmp/nginx user_line=""
    mkdir -p "$d/logs" "$d/tmp"
    [ "$(id -u)" -eq 0 ] && user_line="user $(id -un) $(id -gn);"
    cat >"$d/nginx.conf" <<EOF
$user_line
$2
worker_processes 2;
pid $d/nginx.pid;
error_log $d/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 100000000;
    keepalive_timeout 60s;
    client_body_temp_path $d/tmp/body;
    proxy_temp_path $d/tmp/proxy;
    fastcgi_temp_path $d/tmp/fastcgi;
    uwsgi_temp_path $d/tmp/uwsgi;
    scgi_temp_path $d/tmp/scgi;
    server {
        listen 127.0.0.1:$1;
        location / {
            default_type application/json;
            return 200 '{"status":"ok"}';
        }
    }
}
EOF
    echo "$d/nginx.conf"
}

# The command line of server NAME on PORT.
server_cmd() {
    case $1 in
    nginx) echo "$NGINX -p $tmp/nginx -c $(nginx_conf "$2" "daemon off; ${3:-}")" ;;
    latchkey) echo "$BIN serve" ;; # its environment: start's env
    *) echo "$FLOOR/$1 $2" ;;
    esac
}

# bench/run.sh's environment: the limits raised so they do not shape the load.
LK_VARS=(LATCHKEY_ADMIN_EMAIL=owner@bench.example
    LATCHKEY_RATE_TOKEN=1000000000/60 LATCHKEY_RATE_LOGIN=1000000000/60
    LATCHKEY_RATE_API=1000000000/60 LATCHKEY_RATE_TRAVEL=1000000000/60
    LATCHKEY_PER_IP_CONNECTIONS=100000)
cli() { env LATCHKEY_DATABASE_URL="$tmp/lk.db" "${LK_VARS[@]}" "$BIN" "$@" 2>>"$tmp/cli.log"; }

# bench/run.sh's small database and its token.
log "setting up latchkey's database"
cli migrate >/dev/null
cli tenant create --slug safeway --name "Safeway Travel" --domain www.safewaytravel.net \
    --currency USD --products hotel,activity,flight,deals >/dev/null
cli user create --tenant safeway --role agent --name "John Agent" --email john@example.com \
    --password 'correct horse 1' --phone +1-555-100-2000 \
    --attributes '{"vacation_pool_balance":"150.00","hotel_card_redeems_left":2}' \
    --preferences '{"language":"en","currency":"USD"}' --verified >/dev/null
BENCH_TOKEN=$(cli token create --user john@example.com --tenant safeway --name bench)
export BENCH_TOKEN

SERVERS=(nginx mhd h2o epoll latchkey)
REQ_PATH=/api/v1/auth/user

# start NAME [WRAPPER...]: starts server NAME (under WRAPPER, e.g.
# valgrind) on a fresh port; sets pid[NAME] and port[NAME].
start() {
    local name=$1 p
    shift
    p=$(free_port)
    # shellcheck disable=SC2046 # the command line is split on purpose
    # latchkey's environment for every server (the others ignore it),
    # outside the wrapper: valgrind does not follow env's exec.
    env LATCHKEY_DATABASE_URL="$tmp/lk.db" "${LK_VARS[@]}" LATCHKEY_LISTEN="127.0.0.1:$p" \
        "$@" $(server_cmd "$name" "$p" "${EXTRA_NGINX:-}") >"$tmp/$name.log" 2>&1 &
    pid[$name]=$! port[$name]=$p
    wait_port "$p" 600 "${pid[$name]}" || { log "$name did not start:"; cat "$tmp/$name.log" >&2; exit 1; }
}

stop() {
    kill "${pid[$1]}" 2>/dev/null || true
    wait "${pid[$1]}" 2>/dev/null || true
    unset "pid[$1]"
}

# cpu_ticks NAME: user and system clock ticks of the server and its
# children (nginx's workers).
cpu_ticks() {
    local p=${pid[$1]} ps
    ps="$p $(pgrep -P "$p" | tr '\n' ' ')"
    for q in $ps; do sed 's/^.*) //' "/proc/$q/stat" 2>/dev/null; done |
        awk '{ u += $12; s += $13 } END { print u + 0, s + 0 }'
}

field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" <<<"$2"; }

# run NAME: one wrk run on NAME; prints "rps p50_us p99_us user_us sys_us errors".
run() {
    local name=$1 before after line req dur
    before=$(cpu_ticks "$name")
    wrk -t"$WRK_THREADS" -c64 -d"${SECONDS_RUN}s" --timeout 10s -s "$BENCH_LUA/user.lua" \
        "http://127.0.0.1:${port[$name]}${REQ_PATH}" >"$tmp/wrk.out" 2>&1 || true
    after=$(cpu_ticks "$name")
    line=$(sed -n 's/^BENCH //p' "$tmp/wrk.out" | tail -n 1)
    [ -n "$line" ] || { log "wrk failed on $name:"; cat "$tmp/wrk.out" >&2; exit 1; }
    req=$(field requests "$line")
    dur=$(field duration_us "$line")
    awk -v r="$req" -v d="$dur" -v p50="$(field p50_us "$line")" -v p99="$(field p99_us "$line")" \
        -v b="$before" -v a="$after" -v t="$TICK" \
        -v e=$(($(field non2xx "$line") + $(field socket_errors "$line"))) 'BEGIN {
            split(b, x, " "); split(a, y, " ")
            printf "%.0f %d %d %.2f %.2f %d\n", r / (d / 1e6), p50, p99,
                (y[1] - x[1]) / t * 1e6 / r, (y[2] - x[2]) / t * 1e6 / r, e }'
}

# ------------------------------------------------------------------ 1: wrk
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for s in "${SERVERS[@]}"; do start "$s"; done
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $BENCH_TOKEN" \
    "http://127.0.0.1:${port[latchkey]}/api/v1/auth/user" || true)
[ "$code" = 200 ] || { log "latchkey: GET /api/v1/auth/user answered $code"; exit 1; }
for s in mhd h2o epoll; do
    body=$(curl -s "http://127.0.0.1:${port[$s]}/api/v1/auth/user" || true)
    [ "$body" = '{"status":"ok"}' ] || { log "$s answered '$body'"; exit 1; }
done

# raw PORT BYTES: the status line the server answers BYTES with.
raw() {
    exec 3<>"/dev/tcp/127.0.0.1/$1"
    printf '%b' "$2" >&3
    timeout 2 head -n 1 <&3 | tr -d '\r' || true
    exec 3>&-
}
# The hardening (c) carries, as latchkey's httpd.c answers it.
for c in "400|GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n" \
    "400|GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n" \
    "400|GET / HTTP/1.1\r\n\r\n" "501|GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n" \
    "400|GET / HTTP/1.1\r\nHost: a\r\n folded: x\r\n\r\n" "200|GET / HTTP/1.0\r\n\r\n"; do
    got=$(raw "${port[epoll]}" "${c#*|}")
    case $got in "HTTP/1.1 ${c%%|*} "*) ;; *) log "epoll: '${c#*|}' answered '$got'"; exit 1 ;; esac
done

declare -A best
for r in $(seq "$ROUNDS"); do
    msg="round $r:"
    for s in "${SERVERS[@]}"; do
        out=$(run "$s")
        msg+=" $s ${out%% *}"
        if [ -z "${best[$s]:-}" ] || [ "${out%% *}" -gt "${best[$s]%% *}" ]; then best[$s]=$out; fi
    done
    log "$msg req/s (load $(cut -d' ' -f1 /proc/loadavg))"
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
for s in "${SERVERS[@]}"; do stop "$s"; done

# ------------------------------------------------------------------ 2: callgrind
declare -A instr memset
# memset_ir FILE: the instructions memset executed in a callgrind dump.
# glibc's memset clears large blocks with `rep stosb`, which callgrind
# counts once per byte but the CPU runs at tens of bytes per cycle, so
# the table shows it apart.
memset_ir() {
    callgrind_annotate --inclusive=no --threshold=100 "$1" 2>/dev/null |
        awk '/memset/ { gsub(",", "", $1); s += $1 } END { print s + 0 }'
}
# count NAME: user-space instructions per request of NAME under callgrind.
count() {
    local name=$1 out=$tmp/cg.$1 token=() t1 t2
    [ "$name" = latchkey ] && token=("$BENCH_TOKEN")
    EXTRA_NGINX="master_process off;" start "$name" valgrind --tool=callgrind \
        --callgrind-out-file="$out" --dump-line=no --compress-strings=no
    local vp=${pid[$name]} p=${port[$name]}
    "$FLOOR/kaclient" "$p" "${REQ_PATH}" "$CG_WARM" "${token[@]}"
    callgrind_control -z "$vp" >/dev/null 2>&1
    "$FLOOR/kaclient" "$p" "${REQ_PATH}" "$CG_N1" "${token[@]}"
    callgrind_control -d "$vp" >/dev/null 2>&1
    "$FLOOR/kaclient" "$p" "${REQ_PATH}" "$CG_N2" "${token[@]}"
    callgrind_control -d "$vp" >/dev/null 2>&1
    stop "$name"
    t1=$(sed -n 's/^summary: //p' "$out.1")
    t2=$(sed -n 's/^summary: //p' "$out.2")
    instr[$name]=$(awk -v a="$t1" -v b="$t2" -v n=$((CG_N2 - CG_N1)) 'BEGIN { printf "%.0f", (b - a) / n }')
    memset[$name]=$(awk -v a="$(memset_ir "$out.1")" -v b="$(memset_ir "$out.2")" \
        -v n=$((CG_N2 - CG_N1)) 'BEGIN { printf "%.0f", (b - a) / n }')
    log "callgrind $name: $t1 for $CG_N1 requests, $t2 for $CG_N2: ${instr[$name]} per request" \
        "(memset ${memset[$name]})"
}
if [ "$CALLGRIND" != 0 ]; then
    command -v valgrind >/dev/null || { log "valgrind is missing (bench/deps.sh installs it)"; exit 2; }
    for s in "${SERVERS[@]}"; do count "$s"; done
fi

# ------------------------------------------------------------------ output
ng=${best[nginx]%% *}
mkdir -p "$OUT_DIR"
out=$OUT_DIR/floor-$(date -u +%Y%m%d-%H%M%S)-$(git rev-parse --short HEAD 2>/dev/null || echo unknown).md
exec > >(tee "$out")
echo
echo "latchkey $(git rev-parse --short HEAD 2>/dev/null || echo unknown), $(date -u +%Y-%m-%dT%H:%M:%SZ)," \
    "$(nproc) cores, wrk -t$WRK_THREADS -c64, ${SECONDS_RUN}s runs, best of $ROUNDS alternating rounds," \
    "load average $load_start at the start, $load_end at the end"
echo
echo "| server | req/s | p50 ms | p99 ms | x nginx | CPU us/req user | CPU us/req sys | instructions/req (user space) | of which memset |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for s in "${SERVERS[@]}"; do
    read -r rps p50 p99 us sy errs <<<"${best[$s]}"
    name=$s
    case $s in
    mhd) name="(a) libmicrohttpd as httpd.c" ;;
    h2o) name="(b) libh2o-evloop" ;;
    epoll) name="(c) own epoll HTTP/1.1" ;;
    latchkey) name="latchkey /api/v1/auth/user" ;;
    nginx) name="nginx return 200" ;;
    esac
    [ "$errs" -gt 0 ] && name+=" ($errs errors)"
    awk -v n="$name" -v r="$rps" -v p50="$p50" -v p99="$p99" -v ng="$ng" -v u="$us" -v s="$sy" \
        -v i="${instr[$s]:--}" -v m="${memset[$s]:--}" 'BEGIN {
            printf "| %s | %d | %.2f | %.2f | %.2f | %s | %s | %s | %s |\n",
                n, r, p50 / 1000, p99 / 1000, r / ng, u, s, i, m }'
done
