#!/usr/bin/env bash
# bench/run.sh BUILD_DIR - the benchmark behind `make bench` (README "Performance").
#
# Starts latchkey (BUILD_DIR/latchkey) on a fresh database and a baseline
# nginx (its own config under a temp dir: 2 workers, `return 200` with a
# small JSON body), both on loopback, and drives them with wrk, alternating
# latchkey and nginx runs so both see the same machine. Prints one markdown
# table and writes the same figures as JSON under bench/results/.
#
# Scenarios (keep-alive, 64 connections unless stated; see README):
#   1  GET /api/v1/auth/user, one Sanctum token            vs nginx
#   1p scenario 1 on PostgreSQL (a private cluster the bench starts:
#      scripts/pg-test-cluster.sh), alternating with nginx and
#      scenario 1's SQLite server                        vs nginx, vs 1
#   2  GET /api/v1/auth/me, JWT + X-Tenant (skipped while that route is 404)
#   3  POST /api/v1/auth/token logins, 8 connections       vs the hashing bound
#   4  scenario 1 while scenario 3 runs (64 conns, and a 4-connection probe)
#   5  scenario 1 over a generated database of 1,000,000 tokens (100,000
#      users, 1,000 tenants), tokens spread over it       vs nginx, vs 1
#   5c the cold path: scenario 5's database, 100,000 distinct tokens
#      (fewer if BENCH_SCALE_TOKENS is smaller) used in turn, so every
#      lookup is a different principal                     vs nginx, vs 1
#   6  RSS idle after start, and after BENCH_RSS_SECONDS of scenario 1
#   7  forward-auth: nginx + auth_request to latchkey + a service (the
#      baseline nginx), against the same nginx + service without auth
#
# RSS is the private memory the process really holds (RssAnon of
# /proc/PID/status); the pages of the SQLite file it maps (RssFile, page
# cache shared with the kernel) are in the row's note.
#
# Every figure is the best of BENCH_ROUNDS alternating runs (the noise of a
# shared machine only ever slows a run down), and every ratio is against a
# baseline measured in the same run.
#
# Environment (defaults in brackets):
#   BENCH_SECONDS [10]        length of one wrk run
#   BENCH_ROUNDS [2]          runs per scenario and server, alternating
#   BENCH_LOGIN_SECONDS [20]  length of the login runs (scenarios 3, 4)
#   BENCH_RSS_SECONDS [60]    scenario 6's load before the RSS reading
#   BENCH_SCALE_TOKENS [1000000], BENCH_SCALE_USERS [100000],
#   BENCH_SCALE_TENANTS [1000]    scenario 5's database (TOKENS=0 skips 5)
#   BENCH_WRK_THREADS [2]     wrk threads for the 64-connection runs
#   BENCH_OUT [bench/results] where the JSON goes
#   BENCH_AGAINST [unset]     another build directory (e.g. one of an older
#                             commit): scenario 1 then also runs its latchkey,
#                             on a database its own CLI made, alternating with
#                             this one and nginx (row 1b, ratio to this build);
#                             with BENCH_ONLY=4, scenarios 3 and 4 too (rows
#                             3a, 4a, 4ap), each round alternating the two
#   BENCH_AGAINST_ENV [unset] VAR=VALUE words for BENCH_AGAINST's server only,
#                             e.g. BENCH_AGAINST=build-bench
#                             BENCH_AGAINST_ENV=LATCHKEY_HASH_THREADS=1: an A/B
#                             of a setting within one run
#   BENCH_ONLY [unset]        "1": scenario 1 (and 1b, 1p) only; "7": those and 7;
#                             "4": scenario 1, 3 and 4 only (no 1p)
#   BENCH_PG [1]              "0" skips scenario 1p
set -euo pipefail

build=${1:-build-bench}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
case $build in /*) ;; *) build=$root/$build ;; esac
BIN=$build/latchkey
GEN=$build/bench/gen
HASHTIME=$build/bench/hashtime
for f in "$BIN" "$GEN" "$HASHTIME"; do
    [ -x "$f" ] || { echo "bench: $f is missing (run make bench)" >&2; exit 2; }
done
for t in wrk nginx; do
    command -v "$t" >/dev/null 2>&1 || [ -x "/usr/sbin/$t" ] ||
        { echo "bench: $t is missing (bench/deps.sh installs it)" >&2; exit 2; }
done
NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)

SECONDS_RUN=${BENCH_SECONDS:-10}
ROUNDS=${BENCH_ROUNDS:-2}
LOGIN_SECONDS=${BENCH_LOGIN_SECONDS:-20}
RSS_SECONDS=${BENCH_RSS_SECONDS:-60}
SCALE_TOKENS=${BENCH_SCALE_TOKENS:-1000000}
SCALE_USERS=${BENCH_SCALE_USERS:-100000}
SCALE_TENANTS=${BENCH_SCALE_TENANTS:-1000}
WRK_THREADS=${BENCH_WRK_THREADS:-2}
OUT_DIR=${BENCH_OUT:-$root/bench/results}
ONLY=${BENCH_ONLY:-}
read -r -a AGAINST_ENV <<<"${BENCH_AGAINST_ENV:-}"
if [ "$ONLY" = 4 ]; then
    SCALE_TOKENS=0 # no scenario 5
    BENCH_PG=0
fi
CORES=$(nproc)
export BENCH_LUA=$root/bench/lua

tmp=$(mktemp -d "${TMPDIR:-/tmp}/latchkey-bench.XXXXXX")
lk_pid=""
ng_pid=""
bg_pid=""
ot_pid=""
pg_pid=""
pg_dir=""
fr_pid=""

cleanup() {
    [ -n "$bg_pid" ] && kill "$bg_pid" 2>/dev/null && wait "$bg_pid" 2>/dev/null
    [ -n "$lk_pid" ] && kill "$lk_pid" 2>/dev/null && wait "$lk_pid" 2>/dev/null
    [ -n "$ot_pid" ] && kill "$ot_pid" 2>/dev/null && wait "$ot_pid" 2>/dev/null
    [ -n "$pg_pid" ] && kill "$pg_pid" 2>/dev/null && wait "$pg_pid" 2>/dev/null
    [ -n "$ng_pid" ] && kill -QUIT "$ng_pid" 2>/dev/null && wait "$ng_pid" 2>/dev/null
    [ -n "$pg_dir" ] && "$root/scripts/pg-test-cluster.sh" destroy "$pg_dir" >/dev/null 2>&1
    [ -n "$fr_pid" ] && kill -QUIT "$fr_pid" 2>/dev/null && wait "$fr_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "bench: $*" >&2; }

# ------------------------------------------------------------------ helpers

# A TCP port nobody listens on (bash's /dev/tcp connects when one does).
free_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 40000))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
}

# rss_kib PID: "ANON FILE", its RssAnon and RssFile in KiB (row() shows the
# first as RSS, the second in the note).
rss_kib() {
    awk '/^RssAnon:/ { a = $2 } /^RssFile:/ { f = $2 } END { print a + 0, f + 0 }' \
        "/proc/$1/status" 2>/dev/null || echo "0 0"
}

# field NAME JSONLINE: a number from the BENCH line of report.lua.
field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" <<<"$2"; }

# wrk_run OUTVAR PORT CONNS SECONDS SCRIPT: one wrk run; OUTVAR gets the
# BENCH line, extended with "rps". wrk's own output goes to the log.
wrk_run() {
    local var=$1 port=$2 conns=$3 secs=$4 script=$5 threads=$WRK_THREADS line req dur
    [ "$conns" -lt "$threads" ] && threads=$conns
    wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 10s -s "$BENCH_LUA/$script" \
        "http://127.0.0.1:$port" >"$tmp/wrk.out" 2>&1 || true
    cat "$tmp/wrk.out" >>"$tmp/wrk.log"
    line=$(sed -n 's/^BENCH //p' "$tmp/wrk.out" | tail -n 1)
    if [ -z "$line" ]; then
        log "wrk failed:"; cat "$tmp/wrk.out" >&2
        line='{"requests":0,"duration_us":1,"p50_us":0,"p99_us":0,"max_us":0,"socket_errors":0,"non2xx":0}'
    fi
    req=$(field requests "$line")
    dur=$(field duration_us "$line")
    line="${line%\}},\"rps\":$(awk -v r="$req" -v d="$dur" 'BEGIN { printf "%.0f", r / (d / 1e6) }')}"
    printf -v "$var" '%s' "$line"
}

# best LINE...: the line with the highest rps.
best() {
    local b="" l
    for l in "$@"; do
        if [ -z "$b" ] || [ "$(field rps "$l")" -gt "$(field rps "$b")" ]; then b=$l; fi
    done
    echo "$b"
}

# ------------------------------------------------------------------ servers

# nginx_start NAME PIDVAR PORT SERVERS: an nginx (2 workers) whose http
# block holds SERVERS, every file under $tmp/NAME; sets PIDVAR and waits
# until PORT accepts connections.
nginx_start() {
    local name=$1 pidvar=$2 port=$3 servers=$4 d=$tmp/$1
    mkdir -p "$d/logs" "$d/tmp"
    local user_line=""
    [ "$(id -u)" -eq 0 ] && user_line="user $(id -un) $(id -gn);"
    cat >"$d/nginx.conf" <<EOF
$user_line
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
$servers
}
EOF
    "$NGINX" -p "$d" -c "$d/nginx.conf" -e "$d/logs/error.log" -g 'daemon off;' \
        >"$d/logs/stdout" 2>&1 &
    printf -v "$pidvar" '%s' "$!"
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        sleep 0.05
    done
    log "nginx ($name) did not start:"; cat "$d/logs/error.log" "$d/logs/stdout" >&2
    exit 1
}

# The baseline: nginx answering every request itself.
start_nginx() {
    nginx_start nginx ng_pid "$1" "    server {
        listen 127.0.0.1:$1;
        location / {
            default_type application/json;
            return 200 '{\"status\":\"ok\"}';
        }
    }"
}

# Scenario 7's front nginx, before the baseline nginx (the service): port
# $1 asks latchkey first (auth_request, as in README "Forward-auth"), port
# $2 only proxies. Sets fr_pid.
start_front() {
    nginx_start front fr_pid "$1" "    upstream lk_auth { server 127.0.0.1:$lk_port; keepalive 64; }
    upstream bench_app { server 127.0.0.1:$ng_port; keepalive 64; }
    server {
        listen 127.0.0.1:$1;
        location / {
            auth_request /_latchkey;
            auth_request_set \$auth_user_id \$upstream_http_x_auth_user_id;
            proxy_set_header X-Auth-User-Id \$auth_user_id;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
            proxy_pass http://bench_app;
        }
        location = /_latchkey {
            internal;
            proxy_pass http://lk_auth/auth/verify;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
            proxy_pass_request_body off;
            proxy_set_header Content-Length \"\";
            proxy_set_header X-Original-Method \$request_method;
            proxy_set_header X-Original-URI \$request_uri;
        }
    }
    server {
        listen 127.0.0.1:$2;
        location / {
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
            proxy_pass http://bench_app;
        }
    }"
}

# The environment every latchkey (server and CLI) of the bench runs with:
# the limits raised so they do not shape the load.
LK_VARS=(LATCHKEY_ADMIN_EMAIL=owner@bench.example
    LATCHKEY_RATE_TOKEN=1000000000/60 LATCHKEY_RATE_LOGIN=1000000000/60
    LATCHKEY_RATE_API=1000000000/60 LATCHKEY_RATE_TRAVEL=1000000000/60
    LATCHKEY_PER_IP_CONNECTIONS=100000)

lk_env() {
    env LATCHKEY_DATABASE_URL="$1" "${LK_VARS[@]}" "${@:2}"
}

# start_latchkey DB [BIN [VAR=VALUE...]]: serves DB on a free port with BIN
# (default $BIN) and the extra environment; sets lk_pid and lk_port.
start_latchkey() {
    local db=$1 bin=${2:-$BIN} out=$tmp/latchkey.log
    : >"$out"
    # Not through lk_env: a backgrounded function would be a subshell, and
    # $! its pid rather than latchkey's.
    env LATCHKEY_DATABASE_URL="$db" "${LK_VARS[@]}" LATCHKEY_LISTEN=127.0.0.1:0 "${@:3}" \
        "$bin" serve >>"$out" 2>&1 &
    lk_pid=$!
    for _ in $(seq 200); do
        lk_port=$(sed -n 's/.*event=listening addr=[^ ]*:\([0-9]*\) .*/\1/p' "$out" | tail -n 1)
        [ -n "$lk_port" ] && return 0
        kill -0 "$lk_pid" 2>/dev/null || break
        sleep 0.05
    done
    log "latchkey did not start:"; cat "$out" >&2
    exit 1
}

stop_latchkey() {
    kill "$lk_pid" 2>/dev/null || true
    wait "$lk_pid" 2>/dev/null || true
    lk_pid=""
}

# cli ARGS: this build's CLI on the small database; ocli: BENCH_AGAINST's
# on its own one (an older binary may refuse this build's newer schema).
cli() { lk_env "$small_db" "$BIN" "$@"; }
ocli() { lk_env "$other_db" "$OBIN" "$@"; }

# ------------------------------------------------------------------ results

rows_json=""
rows_md=""

# row ID NAME LINE RATIO_LABEL RATIO RSS_KIB NOTE
row() {
    local id=$1 name=$2 line=$3 rlabel=$4 ratio=$5 rss=$6 note=$7 rps p50 p99 errs
    if [ -n "$line" ]; then
        rps=$(field rps "$line")
        p50=$(awk -v v="$(field p50_us "$line")" 'BEGIN { printf "%.2f", v / 1000 }')
        p99=$(awk -v v="$(field p99_us "$line")" 'BEGIN { printf "%.2f", v / 1000 }')
        errs=$(($(field non2xx "$line") + $(field socket_errors "$line")))
    else
        rps=""; p50=""; p99=""; errs=0
    fi
    local rss_mib="" file_kib=""
    read -r rss file_kib <<<"$rss"
    [ -n "$rss" ] && rss_mib=$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')
    [ -n "$file_kib" ] &&
        note="$note; RssFile $(awk -v k="$file_kib" 'BEGIN { printf "%.1f", k / 1024 }') MiB"
    [ "$errs" -gt 0 ] && note="$note; $errs errors/non-2xx"
    note=${note#; }
    rows_md+="| $id | $name | ${rps:--} | ${p50:--} | ${p99:--} | ${ratio:--} ${ratio:+$rlabel} | ${rss_mib:--} | $note |"$'\n'
    rows_json+="${rows_json:+,}"$'\n'"    {\"id\":\"$id\",\"scenario\":\"$name\",\"rps\":${rps:-null},"
    rows_json+="\"p50_ms\":${p50:-null},\"p99_ms\":${p99:-null},\"ratio\":${ratio:-null},"
    rows_json+="\"ratio_of\":\"$rlabel\",\"rss_mib\":${rss_mib:-null},\"errors\":$errs,"
    rows_json+="\"note\":\"${note//\"/\'}\"}"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b }'; }

# ------------------------------------------------------------------ setup

small_db=$tmp/small.db
other_db=$tmp/other.db
export BENCH_EMAIL=john@example.com BENCH_PASSWORD='correct horse 1'

# setup_db CLI: the small database through CLI (cli or ocli); prints a
# Sanctum token of its user. CLI commands other than migrate refuse a
# database that does not exist yet.
setup_db() {
    local c=$1
    $c migrate >/dev/null
    $c tenant create --slug safeway --name "Safeway Travel" --domain www.safewaytravel.net \
        --currency USD --products hotel,activity,flight,deals >/dev/null
    $c user create --tenant safeway --role agent --name "John Agent" --email "$BENCH_EMAIL" \
        --password "$BENCH_PASSWORD" --phone +1-555-100-2000 \
        --attributes '{"vacation_pool_balance":"150.00","hotel_card_redeems_left":2}' \
        --preferences '{"language":"en","currency":"USD"}' --verified >/dev/null
    $c token create --user "$BENCH_EMAIL" --tenant safeway --name bench
}
log "setting up the small database"
BENCH_TOKEN=$(setup_db cli)
export BENCH_TOKEN
if [ -n "${BENCH_AGAINST:-}" ]; then
    case $BENCH_AGAINST in /*) ;; *) BENCH_AGAINST=$root/$BENCH_AGAINST ;; esac
    OBIN=$BENCH_AGAINST/latchkey
    [ -x "$OBIN" ] || { log "BENCH_AGAINST: $OBIN is missing"; exit 2; }
    log "setting up the database of $OBIN"
    OTHER_TOKEN=$(setup_db ocli)
    start_latchkey "$other_db" "$OBIN" "${AGAINST_ENV[@]}"
    ot_pid=$lk_pid ot_port=$lk_port
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $OTHER_TOKEN" \
        "http://127.0.0.1:$ot_port/api/v1/auth/user" || true)
    [ "$code" = 200 ] || { log "BENCH_AGAINST: GET /api/v1/auth/user answered $code"; exit 1; }
fi

ng_port=$(free_port)
start_nginx "$ng_port"
start_latchkey "$small_db"
sleep 1
idle_rss=$(rss_kib "$lk_pid")
log "latchkey on :$lk_port (idle RSS ${idle_rss} KiB), nginx on :$ng_port"

code=$(curl -s -o "$tmp/check.json" -w '%{http_code}' \
    -H "Authorization: Bearer $BENCH_TOKEN" "http://127.0.0.1:$lk_port/api/v1/auth/user" || true)
[ "$code" = 200 ] || { log "GET /api/v1/auth/user answered $code"; exit 1; }

# alternate LK_VAR NG_VAR CONNS SECONDS SCRIPT: ROUNDS alternating runs on
# nginx then latchkey; the best of each.
alternate() {
    local lkv=$1 ngv=$2 conns=$3 secs=$4 script=$5 i l n lks=() ngs=()
    for i in $(seq "$ROUNDS"); do
        wrk_run n "$ng_port" "$conns" "$secs" "$script"
        wrk_run l "$lk_port" "$conns" "$secs" "$script"
        log "  round $i: nginx $(field rps "$n") req/s, latchkey $(field rps "$l") req/s"
        ngs+=("$n"); lks+=("$l")
    done
    printf -v "$lkv" '%s' "$(best "${lks[@]}")"
    printf -v "$ngv" '%s' "$(best "${ngs[@]}")"
}

# three_way PORT TOKEN NAME: ROUNDS rounds of nginx, this build's latchkey
# and a third server (PORT, TOKEN), in turn; sets r3n, r3l and r3o to the
# best of each.
three_way() {
    local port=$1 token=$2 name=$3 i n l o ns=() ls=() os=()
    for i in $(seq "$ROUNDS"); do
        wrk_run n "$ng_port" 64 "$SECONDS_RUN" user.lua
        wrk_run l "$lk_port" 64 "$SECONDS_RUN" user.lua
        BENCH_TOKEN=$token wrk_run o "$port" 64 "$SECONDS_RUN" user.lua
        log "  round $i: nginx $(field rps "$n"), latchkey $(field rps "$l"), $name $(field rps "$o") req/s"
        ns+=("$n"); ls+=("$l"); os+=("$o")
    done
    r3n=$(best "${ns[@]}") r3l=$(best "${ls[@]}") r3o=$(best "${os[@]}")
}

# ------------------------------------------------------------------ 1
log "scenario 1: GET /api/v1/auth/user, 64 connections"
if [ -z "$ot_pid" ]; then
    alternate s1 s1n 64 "$SECONDS_RUN" user.lua
else
    # nginx, this build and BENCH_AGAINST's, in turn, each round.
    three_way "$ot_port" "$OTHER_TOKEN" against
    s1=$r3l s1n=$r3n s1b=$r3o
fi
s1_rss=$(rss_kib "$lk_pid")
s1_ratio=$(ratio "$(field rps "$s1")" "$(field rps "$s1n")")
row 1 "GET /auth/user (Sanctum)" "$s1" "x nginx" "$s1_ratio" "$s1_rss" "64 conns"
row 1n "nginx return 200 (baseline)" "$s1n" "" "" "" "2 workers"
if [ -n "$ot_pid" ]; then
    row 1b "GET /auth/user, BENCH_AGAINST build" "$s1b" "x this build" \
        "$(ratio "$(field rps "$s1b")" "$(field rps "$s1")")" "$(rss_kib "$ot_pid")" \
        "$(ratio "$(field rps "$s1b")" "$(field rps "$s1n")") x nginx; $BENCH_AGAINST ${BENCH_AGAINST_ENV:-}"
    if [ "$ONLY" != 4 ]; then # else scenarios 3 and 4 alternate with it
        kill "$ot_pid" 2>/dev/null || true
        wait "$ot_pid" 2>/dev/null || true
        ot_pid=""
    fi
fi

# ------------------------------------------------------------------ 1p
# Scenario 1 on PostgreSQL: its own cluster on this machine (the 2 cores are
# shared by PostgreSQL, latchkey, nginx and wrk, as on a single-machine
# deployment), the same database content made by the same CLI.
if [ "${BENCH_PG:-1}" != 0 ]; then
    log "scenario 1p: GET /api/v1/auth/user on PostgreSQL, 64 connections"
    pg_dir=$tmp-pg # beside $tmp: the postgres user cannot enter $tmp (0700)
    pg_admin=$("$root/scripts/pg-test-cluster.sh" start "$pg_dir" | tail -n 1)
    psql -q "$pg_admin" -c "CREATE DATABASE lk_bench" >/dev/null
    pg_db=${pg_admin%/postgres}/lk_bench
    PG_TOKEN=$(small_db=$pg_db setup_db cli)
    sq_pid=$lk_pid sq_port=$lk_port
    start_latchkey "$pg_db"
    pg_pid=$lk_pid pg_port=$lk_port
    lk_pid=$sq_pid lk_port=$sq_port
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $PG_TOKEN" \
        "http://127.0.0.1:$pg_port/api/v1/auth/user" || true)
    [ "$code" = 200 ] || { log "PostgreSQL: GET /api/v1/auth/user answered $code"; exit 1; }
    three_way "$pg_port" "$PG_TOKEN" PostgreSQL
    sp=$r3o spn=$r3n sps=$r3l
    row 1p "GET /auth/user on PostgreSQL" "$sp" "x nginx" \
        "$(ratio "$(field rps "$sp")" "$(field rps "$spn")")" "$(rss_kib "$pg_pid")" \
        "$(ratio "$(field rps "$sp")" "$(field rps "$sps")") x SQLite in the same rounds"
    kill "$pg_pid" 2>/dev/null || true
    wait "$pg_pid" 2>/dev/null || true
    pg_pid=""
    "$root/scripts/pg-test-cluster.sh" destroy "$pg_dir" >/dev/null 2>&1 || true
    pg_dir=""
fi

if [ "$ONLY" != 1 ] && [ "$ONLY" != 4 ]; then
# ------------------------------------------------------------------ 7
log "scenario 7: nginx + auth_request to latchkey + service, against nginx + service"
cli rule add --method GET --pattern /api/v1/auth/user >/dev/null
fa_port=$(free_port)
fb_port=$(free_port)
start_front "$fa_port" "$fb_port"
for _ in $(seq 40); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $BENCH_TOKEN" \
        "http://127.0.0.1:$fa_port/api/v1/auth/user" || true)
    [ "$code" = 200 ] && break
    sleep 0.1
done
[ "$code" = 200 ] || { log "scenario 7: the front nginx answered $code"; exit 1; }
s7s=() s7ns=()
for i in $(seq "$ROUNDS"); do
    wrk_run n "$fb_port" 64 "$SECONDS_RUN" user.lua
    wrk_run l "$fa_port" 64 "$SECONDS_RUN" user.lua
    log "  round $i: nginx + service $(field rps "$n"), with auth_request $(field rps "$l") req/s"
    s7ns+=("$n"); s7s+=("$l")
done
s7=$(best "${s7s[@]}") s7n=$(best "${s7ns[@]}")
row 7 "nginx + auth_request (latchkey) + service" "$s7" "x 7n" \
    "$(ratio "$(field rps "$s7")" "$(field rps "$s7n")")" "$(rss_kib "$lk_pid")" \
    "one GET /auth/verify per request (one rule, a Sanctum token)"
row 7n "nginx + service, no auth (baseline)" "$s7n" "" "" "" "same front nginx; service = nginx return 200"
kill -QUIT "$fr_pid" 2>/dev/null || true
wait "$fr_pid" 2>/dev/null || true
fr_pid=""
fi

if [ "$ONLY" != 1 ] && [ "$ONLY" != 7 ]; then
if [ "$ONLY" != 4 ]; then
# ------------------------------------------------------------------ 6
log "scenario 6: RSS after ${RSS_SECONDS}s of scenario 1"
wrk_run s6 "$lk_port" 64 "$RSS_SECONDS" user.lua
s6_rss=$(rss_kib "$lk_pid")

# ------------------------------------------------------------------ 2
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$lk_port/api/v1/auth/me" || true)
if [ "$code" = 404 ]; then
    log "scenario 2: skipped (GET /api/v1/auth/me answers 404)"
    row 2 "GET /auth/me (JWT + X-Tenant)" "" "" "" "" "skipped: /api/v1/auth/me answers 404"
else
    log "scenario 2: GET /api/v1/auth/me, 64 connections"
    BENCH_TENANT=safeway
    BENCH_JWT=$(curl -s -X POST "http://127.0.0.1:$lk_port/api/v1/auth/login" \
        -H 'Content-Type: application/json' -H 'Accept: application/json' \
        -H "X-Tenant: $BENCH_TENANT" \
        -d "{\"email\":\"$BENCH_EMAIL\",\"password\":\"$BENCH_PASSWORD\"}" |
        sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
    export BENCH_JWT BENCH_TENANT
    if [ -z "$BENCH_JWT" ]; then
        row 2 "GET /auth/me (JWT + X-Tenant)" "" "" "" "" "skipped: login gave no access_token"
    else
        alternate s2 s2n 64 "$SECONDS_RUN" me.lua
        row 2 "GET /auth/me (JWT + X-Tenant)" "$s2" "x nginx" \
            "$(ratio "$(field rps "$s2")" "$(field rps "$s2n")")" "$(rss_kib "$lk_pid")" "64 conns"
    fi
fi
fi # ONLY != 4

# ------------------------------------------------------------------ 3
log "scenario 3: hashing bound"
hash_out=$(env LATCHKEY_ARGON2_OPSLIMIT="${LATCHKEY_ARGON2_OPSLIMIT:-}" \
    LATCHKEY_ARGON2_MEMLIMIT_KIB="${LATCHKEY_ARGON2_MEMLIMIT_KIB:-}" "$HASHTIME" 5 "$CORES")
hash_ms=$(sed -n 's/^hash_ms=//p' <<<"$hash_out")
parallel=$(sed -n 's/^parallel_per_s=//p' <<<"$hash_out")
bound=$(awk -v c="$CORES" -v ms="$hash_ms" 'BEGIN { printf "%.2f", c / (ms / 1000) }')
log "  one argon2id hash: $hash_ms ms; bound = $CORES cores / $hash_ms ms = $bound logins/s"
log "  $CORES threads hashing at once: $parallel hashes/s"
# login_rate LINE: logins/s of a BENCH line, two decimals (small numbers).
login_rate() {
    awk -v r="$(field requests "$1")" -v d="$(field duration_us "$1")" \
        'BEGIN { if (d > 0) printf "%.2f", r / (d / 1e6) }'
}

log "scenario 3: POST /api/v1/auth/token, 8 connections"
s3s=() s3as=()
for i in $(seq "$ROUNDS"); do
    wrk_run l "$lk_port" 8 "$LOGIN_SECONDS" login.lua
    s3s+=("$l")
    if [ -n "$ot_pid" ]; then
        wrk_run o "$ot_port" 8 "$LOGIN_SECONDS" login.lua
        s3as+=("$o")
        log "  round $i: $(login_rate "$l") logins/s, BENCH_AGAINST $(login_rate "$o")"
    else
        log "  round $i: $(login_rate "$l") logins/s"
    fi
done
s3=$(best "${s3s[@]}")
s3_rps=$(login_rate "$s3")
row 3 "POST /auth/token (login)" "$s3" "x bound" "$(ratio "$s3_rps" "$bound")" \
    "$(rss_kib "$lk_pid")" "8 conns; $s3_rps/s; bound $bound/s ($CORES cores / $hash_ms ms)"
if [ -n "$ot_pid" ]; then
    s3a=$(best "${s3as[@]}")
    row 3a "POST /auth/token, BENCH_AGAINST build" "$s3a" "x 3" \
        "$(ratio "$(login_rate "$s3a")" "$s3_rps")" "$(rss_kib "$ot_pid")" \
        "8 conns; $(login_rate "$s3a")/s"
fi
row 3b "hashing bound" "" "" "" "" "one hash $hash_ms ms"
row 3c "parallel hashing (no server)" "" "" "" "" \
    "$CORES threads hashing at once: $parallel/s = $(ratio "$parallel" "$bound") x bound; login = $(ratio "$s3_rps" "$parallel") x this"

# ------------------------------------------------------------------ 4
log "scenario 4: scenario 1 while logins saturate the hashing pool"
# with_logins VAR PORT CONNS [TOKEN]: scenario 1 at CONNS on PORT (with
# TOKEN, default BENCH_TOKEN) while 8 connections log in there; VAR gets
# the BENCH line with "logins_per_s".
with_logins() {
    local var=$1 port=$2 conns=$3 got bg
    local BENCH_TOKEN=${4:-$BENCH_TOKEN}
    wrk -t2 -c8 -d"$((SECONDS_RUN + 4))s" --timeout 10s -s "$BENCH_LUA/login.lua" \
        "http://127.0.0.1:$port" >"$tmp/login-bg.out" 2>&1 &
    bg_pid=$!
    sleep 2
    wrk_run got "$port" "$conns" "$SECONDS_RUN" user.lua
    wait "$bg_pid" || true
    bg_pid=""
    bg=$(login_rate "$(sed -n 's/^BENCH //p' "$tmp/login-bg.out")")
    printf -v "$var" '%s' "${got%\}},\"logins_per_s\":${bg:-0}}"
}
# s4_rounds CONNS: ROUNDS runs of with_logins on this build (and on
# BENCH_AGAINST's, in turn, the other one first in even rounds, to spread
# any effect of the order); sets s4l and s4o to the best of each (by
# req/s) and s4note to every round's figures.
s4_rounds() {
    local conns=$1 i l o ls=() os=()
    s4note=""
    for i in $(seq "$ROUNDS"); do
        if [ -n "$ot_pid" ] && [ $((i % 2)) = 0 ]; then
            with_logins o "$ot_port" "$conns" "$OTHER_TOKEN"
        fi
        with_logins l "$lk_port" "$conns"
        ls+=("$l")
        s4note+=" r$i $(field rps "$l")/$(field p99_us "$l")us/$(field logins_per_s "$l")"
        if [ -n "$ot_pid" ]; then
            [ $((i % 2)) = 1 ] && with_logins o "$ot_port" "$conns" "$OTHER_TOKEN"
            os+=("$o")
            s4note+=" vs $(field rps "$o")/$(field p99_us "$o")us/$(field logins_per_s "$o")"
        fi
        log "  $conns conns, round $i (req/s, p99, logins/s):${s4note##*r$i}"
    done
    s4l=$(best "${ls[@]}") s4o=""
    [ -n "$ot_pid" ] && s4o=$(best "${os[@]}")
    return 0
}
s4_rounds 64
row 4 "/auth/user during logins" "$s4l" "x nginx" "$(ratio "$(field rps "$s4l")" "$(field rps "$s1n")")" \
    "$(rss_kib "$lk_pid")" "64 conns; logins meanwhile $(field logins_per_s "$s4l")/s"
if [ -n "$s4o" ]; then
    row 4a "/auth/user during logins, BENCH_AGAINST" "$s4o" "x nginx" \
        "$(ratio "$(field rps "$s4o")" "$(field rps "$s1n")")" "$(rss_kib "$ot_pid")" \
        "64 conns; logins meanwhile $(field logins_per_s "$s4o")/s; rounds (req/s/p99/logins, this vs against):$s4note"
fi
s4_rounds 4
row 4p "/auth/user during logins, probe" "$s4l" "" "" "$(rss_kib "$lk_pid")" \
    "4 conns: latency, not throughput (target p50 < 1 ms); logins meanwhile $(field logins_per_s "$s4l")/s"
if [ -n "$s4o" ]; then
    row 4ap "/auth/user during logins, probe, BENCH_AGAINST" "$s4o" "" "" "$(rss_kib "$ot_pid")" \
        "4 conns; logins meanwhile $(field logins_per_s "$s4o")/s; rounds:$s4note"
fi

if [ "$ONLY" != 4 ]; then
row 6 "RSS idle after start" "" "" "" "$idle_rss" "target <= 16 MiB"
row 6b "RSS after ${RSS_SECONDS}s of scenario 1" "$s6" "" "" "$s6_rss" "64 conns"
fi
stop_latchkey

# ------------------------------------------------------------------ 5
if [ "$SCALE_TOKENS" -gt 0 ]; then
    # One database for 5 and 5c: bench/gen writes COLD_TOKENS tokens spread
    # evenly over it; scenario 5 uses every (COLD_TOKENS / 1000)th of them,
    # i.e. 1,000 tokens spread evenly, as before.
    cold_tokens=$((SCALE_TOKENS < 100000 ? SCALE_TOKENS : 100000))
    log "scenario 5: generating $SCALE_TOKENS tokens, $SCALE_USERS users, $SCALE_TENANTS tenants"
    big_db=$tmp/big.db
    gen_out=$("$GEN" "$big_db" "$SCALE_TENANTS" "$SCALE_USERS" "$SCALE_TOKENS" \
        "$tmp/cold.txt" "$cold_tokens")
    log "  $gen_out ($(du -m "$big_db" | cut -f1) MiB)"
    step=$(((cold_tokens + 999) / 1000))
    awk -v s="$step" '(NR - 1) % s == 0' "$tmp/cold.txt" >"$tmp/tokens.txt"
    export BENCH_TOKENS=$tmp/tokens.txt
    start_latchkey "$big_db"
    sleep 1
    log "scenario 5: GET /api/v1/auth/user over the big database, 64 connections"
    alternate s5 s5n 64 "$SECONDS_RUN" tokens.lua
    s5_ratio=$(ratio "$(field rps "$s5")" "$(field rps "$s5n")")
    row 5 "/auth/user, 1M tokens" "$s5" "x nginx" "$s5_ratio" "$(rss_kib "$lk_pid")" \
        "$(wc -l <"$tmp/tokens.txt") tokens spread over the DB; $(ratio "$s5_ratio" "$s1_ratio") x scenario 1 (nginx-relative)"
    log "scenario 5c: the same with $cold_tokens distinct tokens in turn, 64 connections"
    export BENCH_TOKENS=$tmp/cold.txt
    alternate s5c s5cn 64 "$SECONDS_RUN" tokens.lua
    s5c_ratio=$(ratio "$(field rps "$s5c")" "$(field rps "$s5cn")")
    row 5c "/auth/user, $cold_tokens tokens in use" "$s5c" "x nginx" "$s5c_ratio" \
        "$(rss_kib "$lk_pid")" \
        "cold path: each token once per $cold_tokens requests; $(ratio "$s5c_ratio" "$s1_ratio") x scenario 1 (nginx-relative)"
    stop_latchkey
fi
fi # BENCH_ONLY

# ------------------------------------------------------------------ output
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain -- src bench Makefile 2>/dev/null | grep -q . && echo "+dirty" || true)
stamp=$(date -u +%Y-%m-%dT%H:%M:%SZ)
header="| # | scenario | req/s | p50 ms | p99 ms | ratio | latchkey RSS MiB | notes |
| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"
echo
echo "latchkey $commit$dirty, $stamp, $CORES cores, ${SECONDS_RUN}s runs, best of $ROUNDS"
echo
echo "$header"
printf '%s' "$rows_md"

mkdir -p "$OUT_DIR"
out=$OUT_DIR/$(date -u +%Y%m%d-%H%M%S)-$commit$dirty.json
cat >"$out" <<EOF
{
  "commit": "$commit$dirty",
  "date": "$stamp",
  "cores": $CORES,
  "kernel": "$(uname -r)",
  "seconds_per_run": $SECONDS_RUN,
  "rounds": $ROUNDS,
  "login_seconds": $LOGIN_SECONDS,
  "rss_seconds": $RSS_SECONDS,
  "hash_ms": ${hash_ms:-null},
  "hashing_bound_per_s": ${bound:-null},
  "parallel_hashing_per_s": ${parallel:-null},
  "scale": {"tenants": $SCALE_TENANTS, "users": $SCALE_USERS, "tokens": $SCALE_TOKENS},
  "rows": [$rows_json
  ]
}
EOF
echo
echo "written: ${out#"$root"/}"
