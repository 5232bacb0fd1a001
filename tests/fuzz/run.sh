#!/usr/bin/env bash
# tests/fuzz/run.sh BUILD SECONDS [NAME...] - runs each libFuzzer harness
# of BUILD/fuzz/ (all of them, or the NAMEs) for SECONDS seconds.
#
# Each starts from its committed seeds (tests/fuzz/corpus/NAME/) plus what
# earlier runs found (BUILD/fuzz-corpus/NAME/, never committed), so the
# committed corpora stay small. A crash, leak, sanitizer report or timeout
# fails the harness; its input is saved under BUILD/fuzz-artifacts/ and
# the last lines of its output are shown. FUZZ_TIMEOUT (default 25) is
# how many seconds one input may take before it counts as a hang (10 s
# proved too short on a loaded machine). Prints one line per harness with
# its executions, then "N passed, N failed".
set -uo pipefail
build=${1:?usage: run.sh BUILD SECONDS [NAME...]}
seconds=${2:?usage: run.sh BUILD SECONDS [NAME...]}
shift 2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    for f in "$here"/fuzz_*.c; do
        n=$(basename "$f" .c)
        names+=("${n#fuzz_}")
    done
fi
passed=0
failed=0
mkdir -p "$build/fuzz-artifacts" "$build/fuzz-logs"
for name in "${names[@]}"; do
    bin=$build/fuzz/fuzz_$name
    work=$build/fuzz-corpus/$name
    log=$build/fuzz-logs/$name.log
    mkdir -p "$work"
    seeds=()
    [ -d "$here/corpus/$name" ] && seeds=("$here/corpus/$name")
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
        "$bin" -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-25}" -rss_limit_mb=2048 -max_len=16384 \
        -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$name-" \
        "$work" "${seeds[@]}" >"$log" 2>&1
    rc=$?
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n 1)
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n 1)
    cov=$(grep -oE '#[0-9]+.*cov: [0-9]+' "$log" | tail -n 1 | grep -oE 'cov: [0-9]+')
    if [ "$rc" -eq 0 ]; then
        passed=$((passed + 1))
        echo "fuzz $name: ok, ${execs:-?} executions (${rate:-?}/s), ${cov:-cov: ?}, ${seconds} s"
    else
        failed=$((failed + 1))
        echo "fuzz $name: FAILED (exit $rc) after ${execs:-?} executions; log $log"
        grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -n 20
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
