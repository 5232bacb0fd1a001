#!/usr/bin/env bash
# scripts/run-tests.sh BUILD_DIR - runs every test suite against one build.
#
#   make check     -> scripts/run-tests.sh build
#   make sanitize  -> scripts/run-tests.sh build-san
#
# Suites:
#   unit  every executable under BUILD_DIR/tests/ (cmocka, TAP output): counts
#         "ok N" / "not ok N" lines ("# SKIP" ones as skipped); a binary that
#         exits non-zero without a "not ok" line counts as one failure.
#   e2e   node --test over tests/e2e/**/*.test.mjs against BUILD_DIR/latchkey
#         (LATCHKEY_BIN); counts the TAP summary "# pass N" / "# fail N"
#         (+ "# cancelled N" as failures, "# skipped N" as skipped). Runs twice:
#         on SQLite, then on PostgreSQL (e2e-pg). The suite's npm packages
#         (tests/e2e/package.json) are installed first with `npm ci` when
#         tests/e2e/node_modules is missing or older than the lock file. The
#         dashboard's tests (tests/e2e/web/) drive /usr/bin/chromium
#         (LATCHKEY_TEST_CHROMIUM overrides), which scripts/deps.sh installs.
# A suite that cannot run at all counts as one failure.
#
# PostgreSQL: LATCHKEY_TEST_PG_URL, a superuser URL of a throw-away test
# cluster (the unit tests and the harness create and drop databases in it).
# Unset, a private cluster is started here for the run and removed at the
# end (scripts/pg-test-cluster.sh); LATCHKEY_TEST_PG=0 opts out, and then
# the PostgreSQL cases are reported as skipped.
#
# Redis: unless LATCHKEY_TEST_REDIS_URL is set, a private redis-server is
# started for the run (scripts/redis-test-server.sh) and stopped at the end,
# so the Redis tests run on a fresh machine too.
#
# Prints each suite's total and ends with exactly one line
# "N passed, N failed" (all suites); exits non-zero if anything failed.
set -u

UNIT_TIMEOUT=${LATCHKEY_UNIT_TIMEOUT:-300}   # seconds per unit test binary
E2E_TIMEOUT=${LATCHKEY_E2E_TIMEOUT:-1800}    # seconds for the whole e2e suite
# Per test, and Node also applies it to each file as a whole: a browser
# file of a dozen tests (each signing in: an argon2id hash) needs more
# than two minutes on a loaded two-core machine.
E2E_TEST_TIMEOUT_MS=${LATCHKEY_E2E_TEST_TIMEOUT_MS:-300000}

if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: scripts/run-tests.sh BUILD_DIR" >&2
    echo "0 passed, 1 failed"
    exit 2
fi

# BUILD_DIR relative to the caller's directory (make runs from the root).
case $1 in
/*) build_arg=$1 ;;
*) build_arg=$PWD/$1 ;;
esac
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd) || exit 2
cd "$root" || exit 2

tmp=$(mktemp -d "${TMPDIR:-/tmp}/latchkey-tests.XXXXXX") || exit 2
pg_dir=""
redis_dir=""
cleanup() {
    [ -z "$pg_dir" ] || scripts/pg-test-cluster.sh destroy "$pg_dir"
    [ -z "$redis_dir" ] || scripts/redis-test-server.sh stop "$redis_dir"
    rm -rf "$tmp"
}
trap cleanup EXIT

# ---------------------------------------------------------------- redis
if [ -z "${LATCHKEY_TEST_REDIS_URL:-}" ]; then
    if redis_env=$(scripts/redis-test-server.sh start "$tmp/redis"); then
        eval "$redis_env"
        redis_dir=$tmp/redis
    else
        echo "=== redis: could not start a private redis-server: the Redis cases are skipped"
    fi
fi
echo "=== redis: LATCHKEY_TEST_REDIS_URL=${LATCHKEY_TEST_REDIS_URL:-unset}"

total_pass=0
total_fail=0
total_skip=0

# ---------------------------------------------------------------- postgres
if [ -z "${LATCHKEY_TEST_PG_URL:-}" ] && [ "${LATCHKEY_TEST_PG:-1}" != 0 ]; then
    pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/latchkey-pg.XXXXXX") || exit 2
    echo "=== postgres: starting a private test cluster in $pg_dir"
    if url=$(scripts/pg-test-cluster.sh start "$pg_dir"); then
        export LATCHKEY_TEST_PG_URL=$url
    else
        echo "postgres: could not start a test cluster (scripts/pg-test-cluster.sh)"
        echo "0 passed, 1 failed"
        exit 1
    fi
fi
if [ -n "${LATCHKEY_TEST_PG_URL:-}" ]; then
    echo "=== postgres: LATCHKEY_TEST_PG_URL=$LATCHKEY_TEST_PG_URL"
else
    echo "=== postgres: LATCHKEY_TEST_PG=0: PostgreSQL cases are skipped"
fi

# count PATTERN FILE: number of lines matching the extended regex.
count() {
    local n
    n=$(grep -cE "$1" "$2" 2>/dev/null) || true
    echo "${n:-0}"
}

# with_timeout SECONDS CMD...: runs CMD, killed after SECONDS if timeout(1) exists.
with_timeout() {
    local secs=$1
    shift
    if command -v timeout >/dev/null 2>&1; then
        timeout --kill-after=10 "$secs" "$@"
    else
        "$@"
    fi
}

# ---------------------------------------------------------------- unit
run_unit() {
    local pass=0 fail=0 skip=0 bin out rc p f k
    echo "=== unit: $build_arg/tests"
    if [ ! -d "$build_arg/tests" ]; then
        echo "unit: no test binaries (no $build_arg/tests directory)"
        echo "unit: 0 passed, 0 failed"
        return
    fi
    local bins=()
    while IFS= read -r bin; do
        bins+=("$bin")
    done < <(find "$build_arg/tests" -type f -perm -u+x | sort)
    if [ ${#bins[@]} -eq 0 ]; then
        echo "unit: no test binaries under $build_arg/tests"
    fi
    for bin in ${bins[@]+"${bins[@]}"}; do
        out=$tmp/unit.out
        echo "--- ${bin#"$root"/}"
        with_timeout "$UNIT_TIMEOUT" env CMOCKA_MESSAGE_OUTPUT=TAP "$bin" >"$out" 2>&1
        rc=$?
        cat "$out"
        k=$(count '^(not )?ok [0-9]+( -)? # SKIP' "$out")
        p=$(($(count '^ok [0-9]+' "$out") - $(count '^ok [0-9]+( -)? # SKIP' "$out")))
        f=$(($(count '^not ok [0-9]+' "$out") - $(count '^not ok [0-9]+( -)? # SKIP' "$out")))
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
            if [ "$rc" -eq 124 ]; then
                echo "unit: ${bin#"$root"/} timed out after ${UNIT_TIMEOUT}s"
            else
                echo "unit: ${bin#"$root"/} exited with status $rc"
            fi
            f=1
        fi
        echo "--- ${bin#"$root"/}: $p passed, $f failed, $k skipped"
        pass=$((pass + p))
        fail=$((fail + f))
        skip=$((skip + k))
    done
    echo "unit: $pass passed, $fail failed, $skip skipped"
    total_pass=$((total_pass + pass))
    total_fail=$((total_fail + fail))
    total_skip=$((total_skip + skip))
}

# ---------------------------------------------------------------- e2e
# npm_install: installs tests/e2e/package-lock.json's packages (jose, the
# independent JWT verifier; playwright-core, which drives Debian's chromium
# for the dashboard's tests). Only when package.json exists and
# node_modules is missing or older than the lock file (npm writes
# node_modules/.package-lock.json at each install, so a lock file that a
# pull changed is newer), so an up-to-date or offline tree is left alone;
# if it fails, the tests that import a package fail and say so.
npm_install() {
    [ -f tests/e2e/package.json ] || return 0
    [ tests/e2e/node_modules/.package-lock.json -nt tests/e2e/package-lock.json ] && return 0
    if ! command -v npm >/dev/null 2>&1; then
        echo "e2e: npm not found: cannot install tests/e2e/package.json (install npm)"
        return 0
    fi
    echo "e2e: npm ci --prefix tests/e2e"
    npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error ||
        echo "e2e: npm ci failed (offline?); tests that need its packages will fail"
}

# run_e2e NAME: the whole suite; NAME "e2e" on SQLite, "e2e-pg" on
# PostgreSQL (the harness then gives every server a fresh database in the
# LATCHKEY_TEST_PG_URL cluster).
run_e2e() {
    local name=$1 bin=$build_arg/latchkey out=$tmp/e2e.out rc p f c k
    local pgenv=(-u LATCHKEY_TEST_PG_URL)
    [ "$name" = e2e ] || pgenv=("LATCHKEY_TEST_PG_URL=$LATCHKEY_TEST_PG_URL")
    echo "=== $name: tests/e2e (LATCHKEY_BIN=$bin)"
    if [ ! -x "$bin" ]; then
        echo "$name: LATCHKEY_BIN not found: $bin does not exist or is not executable"
        echo "$name: could not run"
        total_fail=$((total_fail + 1))
        return
    fi
    if ! command -v node >/dev/null 2>&1; then
        echo "$name: node not found on PATH (install nodejs)"
        echo "$name: could not run"
        total_fail=$((total_fail + 1))
        return
    fi
    npm_install
    local files=()
    while IFS= read -r f; do
        files+=("$f")
    done < <(find tests/e2e -name '*.test.mjs' -not -path '*/node_modules/*' | sort)
    if [ ${#files[@]} -eq 0 ]; then
        echo "$name: no tests/e2e/**/*.test.mjs files"
        echo "$name: 0 passed, 0 failed"
        return
    fi
    # Flags differ between Node versions (Debian 12 ships 18): use what exists.
    # lib/openapi-hook.mjs checks every response against the OpenAPI
    # document, in each test file's process (the runner passes --import on).
    local help flags=(--import ./tests/e2e/lib/openapi-hook.mjs --test --test-reporter=tap)
    help=$(node --help 2>/dev/null)
    case $help in *--test-concurrency*) flags+=(--test-concurrency=2) ;; esac
    case $help in *--test-timeout*) flags+=("--test-timeout=$E2E_TEST_TIMEOUT_MS") ;; esac

    with_timeout "$E2E_TIMEOUT" env "${pgenv[@]}" LATCHKEY_BIN="$bin" node "${flags[@]}" \
        "${files[@]}" >"$out" 2>&1
    rc=$?
    cat "$out"
    # The top-level summary is unindented; the last one wins.
    p=$(grep -E '^# pass [0-9]+$' "$out" | tail -n 1 | grep -oE '[0-9]+$')
    f=$(grep -E '^# fail [0-9]+$' "$out" | tail -n 1 | grep -oE '[0-9]+$')
    c=$(grep -E '^# cancelled [0-9]+$' "$out" | tail -n 1 | grep -oE '[0-9]+$')
    k=$(grep -E '^# skipped [0-9]+$' "$out" | tail -n 1 | grep -oE '[0-9]+$')
    if [ -z "$p" ] || [ -z "$f" ]; then
        if [ "$rc" -eq 124 ]; then
            echo "$name: timed out after ${E2E_TIMEOUT}s"
        fi
        echo "$name: no TAP summary (node exited with status $rc): could not run"
        total_fail=$((total_fail + 1))
        return
    fi
    f=$((f + ${c:-0}))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "$name: node exited with status $rc although no test failed"
        f=1
    fi
    echo "$name: $p passed, $f failed, ${k:-0} skipped"
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    total_skip=$((total_skip + ${k:-0}))
}

run_unit
run_e2e e2e
if [ -n "${LATCHKEY_TEST_PG_URL:-}" ]; then
    run_e2e e2e-pg
fi

echo "skipped: $total_skip (not counted as passed)"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
