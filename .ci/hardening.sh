#!/usr/bin/env bash
# .ci/hardening.sh - sanitizer, fuzzing, ThreadSanitizer and locale runs.
#
# Usage: bash .ci/hardening.sh [SOURCE_DIR] [WORK_DIR]
#   SOURCE_DIR  the libsmtpreply tree (default: the one this script is in)
#   WORK_DIR    where the build directories go (default: SOURCE_DIR/build-hardening)
# Environment:
#   HARDENING_STEPS  which steps, in order (default: "asan fuzz tsan locale")
#   FUZZ_SECONDS     seconds per fuzz target (default 45)
#   FUZZ_KNOWN       "check" (default) keeps every check; "skip" builds the fuzzers with -DFUZZ_SKIP_KNOWN, so
#                    checks for reported, still open library bugs (FUZZ_CHECK_KNOWN in
#                    fuzz/fuzz.h) do not fail every run; "check" keeps them
#   SANITIZE_SKIP_SUITES  meson test suites left out of the asan and locale runs
#                    (default "python script": tests that load the library into a
#                    process not built with ASan - Python ctypes, scripts that
#                    compile and run programs - fail with "ASan runtime does not
#                    come first"; give such tests suite 'script')
#   SANITIZE_SKIP_TESTS   test names left out the same way (default
#                    "readme-example installed-pkg-config", which compile and run a
#                    program against the ASan-built library)
#
# Steps:
#   asan    build with -Db_sanitize=address,undefined -Db_lundef=false (gcc) and run
#           `meson test` with UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 and
#           ASAN_OPTIONS=detect_leaks=1; every suite, fuzz corpus replays included.
#   fuzz    build with CC=clang -Dfuzzing=true (plus ASan+UBSan) and run each
#           libFuzzer target for FUZZ_SECONDS from a scratch copy of fuzz/corpus/,
#           two at a time; any crash, leak or failed check fails the step and its
#           input is kept as WORK_DIR/fuzz-artifacts/<target>-crash-*.
#   tsan    build with CC=clang -Db_sanitize=thread and run the 'threads' test.
#   locale  `meson test` again (the asan build) with LC_ALL=tr_TR.UTF-8.
#
# What it needs (Debian 12 package names), and the one thing it sets up itself:
#   meson ninja-build gcc g++ check clang libclang-rt-14-dev locales binutils python3
#   and the tr_TR.UTF-8 locale.  When one of clang / libclang-rt-14-dev / locales is
#   missing and the script runs as root, it runs `apt-get install -y` for exactly
#   those packages; when tr_TR.UTF-8 is missing and it runs as root, it uncomments
#   "tr_TR.UTF-8 UTF-8" in /etc/locale.gen and runs locale-gen.  It installs nothing
#   else.  Not root and something missing: the step fails and says what to install.
set -euo pipefail

SRC=$(cd "${1:-$(dirname "$0")/..}" && pwd)
WORK=${2:-$SRC/build-hardening}
STEPS=${HARDENING_STEPS:-asan fuzz tsan locale}
SKIP_SUITES=${SANITIZE_SKIP_SUITES-python script}
SKIP_TESTS=${SANITIZE_SKIP_TESTS-readme-example installed-pkg-config}
NO_SUITE=()
for s in $SKIP_SUITES; do NO_SUITE+=(--no-suite "$s"); done

sanitized_test() { # meson test of the asan build, minus the skipped suites and tests
    local names=() n skip
    while IFS= read -r n; do
        n=${n##* / }
        skip=0
        for s in $SKIP_TESTS; do [ "$n" = "$s" ] && skip=1; done
        if [ "$skip" = 0 ]; then names+=("$n"); else echo "(not under ASan: $n)"; fi
    done < <(meson test -C "$WORK/asan" --list --no-rebuild "${NO_SUITE[@]}" 2>/dev/null)
    # CK_FORK=no: Check runs each test in the runner's own process instead of a
    # fork per loop iteration; under ASan a fork costs tens of milliseconds, and the
    # table suite's 3,000 rows took 150-190 s forked, 1-2 s not (ASan still reports
    # any fault, and the leak check sees the whole run)
    CK_FORK=no UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
        meson test -C "$WORK/asan" --no-rebuild --print-errorlogs "${NO_SUITE[@]}" "${names[@]}"
}
FUZZ_SECONDS=${FUZZ_SECONDS:-45}
FUZZ_KNOWN=${FUZZ_KNOWN:-check}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)

T0=$(date +%s)
declare -a REPORT=()
now() { date +%s; }
log() { printf '\n=== hardening: %s\n' "$*"; }
took() { REPORT+=("$(printf '%-8s %4ss  %s' "$1" "$(( $(now) - $2 ))" "$3")"); }

need_packages() {
    local missing=()
    command -v clang >/dev/null || missing+=(clang)
    # libFuzzer and the sanitizer runtimes for clang
    if command -v clang >/dev/null; then
        echo 'int main(void){return 0;}' > "$WORK/probe.c"
        clang -fsanitize=fuzzer-no-link,address "$WORK/probe.c" -o "$WORK/probe" 2>/dev/null \
            || missing+=(libclang-rt-14-dev)
    else
        missing+=(libclang-rt-14-dev)
    fi
    command -v locale-gen >/dev/null || missing+=(locales)
    if [ ${#missing[@]} -gt 0 ]; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            log "installing ${missing[*]}"
            apt-get install -y "${missing[@]}" >/dev/null 2>&1 \
                || { apt-get update >/dev/null && apt-get install -y "${missing[@]}" >/dev/null; }
        else
            echo "missing: ${missing[*]} (apt-get install -y ${missing[*]})" >&2
            return 1
        fi
    fi
}

need_tr_locale() {
    if locale -a 2>/dev/null | grep -qi '^tr_TR\.utf-\?8$'; then
        return 0
    fi
    if [ "$(id -u)" = 0 ] && [ -f /etc/locale.gen ] && command -v locale-gen >/dev/null; then
        log "generating tr_TR.UTF-8 (/etc/locale.gen + locale-gen)"
        sed -i 's/^# *\(tr_TR\.UTF-8 UTF-8\)/\1/' /etc/locale.gen
        grep -q '^tr_TR\.UTF-8 UTF-8' /etc/locale.gen || echo 'tr_TR.UTF-8 UTF-8' >> /etc/locale.gen
        locale-gen >/dev/null
    fi
    locale -a 2>/dev/null | grep -qi '^tr_TR\.utf-\?8$' || {
        echo "tr_TR.UTF-8 is not installed: apt-get install locales, enable it in /etc/locale.gen, locale-gen" >&2
        return 1
    }
}

setup() { # setup DIR [meson options...]; reuses DIR when it is already configured
    local dir=$1; shift
    if [ -f "$dir/build.ninja" ]; then
        meson configure "$dir" "$@" >/dev/null
    else
        meson setup "$dir" "$SRC" "$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; return 1; }
    fi
}

step_asan() {
    local t; t=$(now)
    log "asan: ASan + UBSan build and meson test"
    setup "$WORK/asan" -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized
    ninja -C "$WORK/asan" >/dev/null
    sanitized_test
    took asan "$t" "ASan+UBSan meson test"
}

step_fuzz() {
    local t; t=$(now)
    need_packages
    log "fuzz: libFuzzer targets, ${FUZZ_SECONDS}s each"

    local known=(-Dc_args=)
    [ "$FUZZ_KNOWN" = check ] || known=(-Dc_args=-DFUZZ_SKIP_KNOWN)
    CC=clang CXX=clang++ setup "$WORK/fuzz" -Dfuzzing=true -Db_sanitize=address,undefined \
        -Db_lundef=false -Dtests=disabled -Dexamples=false "${known[@]}"
    # every fuzz/fuzz_*.c is a target; fuzz_X seeds from fuzz/corpus-X when that
    # folder exists (its input is not a reply), else from fuzz/corpus
    local targets=() f
    for f in "$SRC"/fuzz/fuzz_*.c; do targets+=("$(basename "$f" .c)"); done
    ninja -C "$WORK/fuzz" "${targets[@]/#/fuzz/}" >/dev/null
    mkdir -p "$WORK/fuzz-artifacts"
    local pids=() names=() failed=0
    run_one() {
        local name=$1 corpus="$WORK/fuzz-corpus/$1" seeds="$SRC/fuzz/corpus"
        [ -d "$SRC/fuzz/corpus-${1#fuzz_}" ] && seeds="$SRC/fuzz/corpus-${1#fuzz_}"
        rm -rf "$corpus"; mkdir -p "$corpus"
        cp "$seeds"/* "$corpus"/
        UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
        "$WORK/fuzz/fuzz/$name" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
            -dict="$SRC/fuzz/smtp.dict" -print_final_stats=1 \
            -artifact_prefix="$WORK/fuzz-artifacts/$name-" "$corpus" >"$WORK/fuzz-$name.log" 2>&1
    }
    local i0
    for ((i0 = 0; i0 < ${#targets[@]}; i0 += 2)); do
        pids=(); names=()
        for name in "${targets[@]:$i0:2}"; do
            run_one "$name" & pids+=($!); names+=("$name")
        done
        for i in "${!pids[@]}"; do
            if wait "${pids[$i]}"; then
                printf '%-16s ok    %s\n' "${names[$i]}" \
                    "$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$WORK/fuzz-${names[$i]}.log" | grep -o '[0-9]*$') runs"
            else
                failed=1
                printf '%-16s FAILED (log %s)\n' "${names[$i]}" "$WORK/fuzz-${names[$i]}.log"
                grep -E -A25 'ERROR|check failed|runtime error' "$WORK/fuzz-${names[$i]}.log" | head -40
            fi
        done
    done
    took fuzz "$t" "${#targets[@]} targets x ${FUZZ_SECONDS}s, 2 at a time"
    [ "$failed" = 0 ] || { ls -l "$WORK/fuzz-artifacts"; return 1; }
}

step_tsan() {
    local t; t=$(now)
    need_packages
    log "tsan: threads test under ThreadSanitizer"
    CC=clang CXX=clang++ setup "$WORK/tsan" -Db_sanitize=thread -Db_lundef=false -Dexamples=false
    ninja -C "$WORK/tsan" tests/hardening/test-threads >/dev/null
    local exe="$WORK/tsan/tests/hardening/test-threads" out="$WORK/tsan.log"
    if ! TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 "$exe" "$SRC/tests/data" >"$out" 2>&1; then
        if grep -q 'unexpected memory mapping' "$out" && command -v setarch >/dev/null; then
            # kernels with high mmap entropy: TSan of clang 14 needs ASLR off
            TSAN_OPTIONS=halt_on_error=1 setarch "$(uname -m)" -R "$exe" "$SRC/tests/data" >"$out" 2>&1 \
                || { cat "$out"; return 1; }
        else
            cat "$out"; return 1
        fi
    fi
    cat "$out"
    took tsan "$t" "test-threads under TSan"
}

step_locale() {
    local t; t=$(now)
    need_tr_locale
    log "locale: meson test with LC_ALL=tr_TR.UTF-8"
    [ -f "$WORK/asan/build.ninja" ] || step_asan
    LC_ALL=tr_TR.UTF-8 sanitized_test
    took locale "$t" "meson test, LC_ALL=tr_TR.UTF-8 (asan build)"
}

for s in $STEPS; do
    "step_$s"
done

log "summary"
for line in "${REPORT[@]}"; do echo "$line"; done
echo "total    $(( $(now) - T0 ))s"
