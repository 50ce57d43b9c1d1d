#!/usr/bin/env bash
# fuzz/campaign.sh - a recorded fuzzing campaign: every libFuzzer target of this
# folder, built with SANITIZE (default address,undefined; "undefined" runs about
# five times faster, for reaching 10^7 executions on a small machine), run until
# RUNS executions (default 10^7) or SECONDS_PER_TARGET seconds (default 3600)
# per target, two at a time, from a scratch copy
# of its seed corpus (fuzz/corpus-X for fuzz_X when that folder exists, else
# fuzz/corpus).  Prints one markdown row per target - executions, seconds,
# edges covered (cov), features (ft), corpus size, findings - for fuzz/README.md.
# A finding's input is left in $WORK/artifacts/; make it a regression seed.
# RESUME=1 keeps the corpus a previous campaign left in $WORK and adds the seeds
# to it: a target's executions then add up over its runs (record each run's row).
# FUZZ_FLAGS adds libFuzzer flags to every run (e.g. "-entropic=0": the default
# entropic scheduler's bookkeeping took 45% of fuzz_bounce's time here).
# FUZZ_CFLAGS adds compiler flags to the fuzz build, e.g.
# "-fno-sanitize-coverage=trace-cmp": without compare tracing (70% of
# fuzz_bounce's time) a resumed corpus runs about 4.7 times faster here.
#
#   fuzz/campaign.sh [TARGET ...]      (needs clang and libclang-rt-14-dev)
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-/tmp/smtpreply-campaign}
RUNS=${RUNS:-10000000}
SECS=${SECONDS_PER_TARGET:-3600}
SANITIZE=${SANITIZE:-address,undefined}
FUZZ_FLAGS=${FUZZ_FLAGS:-}
FUZZ_CFLAGS=${FUZZ_CFLAGS:-}
mkdir -p "$WORK/artifacts"
if [ ! -x "$WORK/build/fuzz/fuzz_parse" ]; then
    CC=clang meson setup "$WORK/build" "$SRC" -Dfuzzing=true -Db_sanitize="$SANITIZE" \
        -Db_lundef=false -Dtests=disabled -Dexamples=false ${FUZZ_CFLAGS:+-Dc_args="$FUZZ_CFLAGS"} \
        >/dev/null || exit 1
fi
targets=("$@")
if [ ${#targets[@]} = 0 ]; then
    for f in "$SRC"/fuzz/fuzz_*.c; do targets+=("$(basename "$f" .c)"); done
fi
ninja -C "$WORK/build" "${targets[@]/#/fuzz/}" >/dev/null || exit 1
run_one() {
    local t=$1 seeds="$SRC/fuzz/corpus" dict="$SRC/fuzz/smtp.dict"
    [ -d "$SRC/fuzz/corpus-${t#fuzz_}" ] && seeds="$SRC/fuzz/corpus-${t#fuzz_}"
    [ -f "$SRC/fuzz/${t#fuzz_}.dict" ] && dict="$SRC/fuzz/${t#fuzz_}.dict"
    [ "${RESUME:-0}" = 1 ] || rm -rf "$WORK/corpus-$t"
    mkdir -p "$WORK/corpus-$t"; cp -n "$seeds"/* "$WORK/corpus-$t"/
    local start; start=$(date +%s)
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
    "$WORK/build/fuzz/$t" -runs="$RUNS" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
        -dict="$dict" -print_final_stats=1 -artifact_prefix="$WORK/artifacts/$t-" $FUZZ_FLAGS \
        "$WORK/corpus-$t" >"$WORK/$t.log" 2>&1
    local rc=$? took=$(( $(date +%s) - start ))
    local execs cov ft corp
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$WORK/$t.log" | grep -o '[0-9]*$')
    cov=$(grep -o 'cov: [0-9]*' "$WORK/$t.log" | tail -1 | grep -o '[0-9]*')
    ft=$(grep -o 'ft: [0-9]*' "$WORK/$t.log" | tail -1 | grep -o '[0-9]*')
    corp=$(ls "$WORK/corpus-$t" | wc -l)
    local found="none"
    [ $rc = 0 ] || found="FAILED (log $WORK/$t.log)"
    printf '| `%s` | %s | %s | %s | %s | %s | %s |\n' "$t" "${execs:-?}" "$took" "${cov:-?}" "${ft:-?}" "$corp" "$found" \
        >"$WORK/$t.row"
}
echo "| target | executions | seconds | cov | ft | corpus | findings |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
for ((i = 0; i < ${#targets[@]}; i += 2)); do
    pids=()
    for t in "${targets[@]:$i:2}"; do run_one "$t" & pids+=($!); done
    wait "${pids[@]}"
    for t in "${targets[@]:$i:2}"; do cat "$WORK/$t.row"; done
done
