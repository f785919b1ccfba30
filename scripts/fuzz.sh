#!/usr/bin/env bash
# libFuzzer harnesses of tests/fuzz (readers, rerank document reader, API request
# parsers, screening labels), built with clang into build-fuzz/ (no llama.cpp).
#
#   scripts/fuzz.sh [SECONDS]     campaign: each harness for SECONDS (default 300) on its
#                                 seeds; new inputs go to build-fuzz/corpus/<harness>/, a
#                                 crash to tests/fuzz/regressions/<harness>/ (commit it
#                                 with the fix)
#   scripts/fuzz.sh --smoke       CI: each harness for a fixed number of runs with a fixed
#                                 seed over seeds + regression inputs (reproducible); exits
#                                 non-zero on any crash, leak, timeout or broken contract
#   scripts/fuzz.sh ... HARNESS…  only those harnesses (names without _fuzzer)
#
# Environment: LITRANK_FUZZ_BUILD_DIR (default build-fuzz), LITRANK_FUZZ_JOBS (build
# parallelism, default 2), LITRANK_FUZZ_RUNS (smoke runs per harness, default 20000).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

mode=campaign
seconds=300
only=()
for arg in "$@"; do
  case "$arg" in
    --smoke) mode=smoke ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    ''|*[!0-9]*) only+=("$arg") ;;
    *) seconds=$arg ;;
  esac
done

BUILD_DIR=${LITRANK_FUZZ_BUILD_DIR:-build-fuzz}
JOBS=${LITRANK_FUZZ_JOBS:-2}
RUNS=${LITRANK_FUZZ_RUNS:-20000}
CC_BIN=${CC:-clang}
CXX_BIN=${CXX:-clang++}
if ! command -v "$CXX_BIN" >/dev/null 2>&1 || ! "$CXX_BIN" --version 2>/dev/null | grep -q clang; then
  CC_BIN=clang; CXX_BIN=clang++
fi
if ! command -v clang++ >/dev/null 2>&1 && [ "$CXX_BIN" = clang++ ]; then
  echo "litrank fuzz: clang++ not found (scripts/install-deps.sh installs clang and libclang-rt-14-dev)" >&2
  exit 2
fi

start=$(date +%s)
if [ -f "$BUILD_DIR/CMakeCache.txt" ]; then
  cmake -S . -B "$BUILD_DIR" -DLITRANK_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
else
  cmake -S . -B "$BUILD_DIR" -DLITRANK_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug \
        -DCMAKE_C_COMPILER="$CC_BIN" -DCMAKE_CXX_COMPILER="$CXX_BIN" >/dev/null
fi
if ! cmake --build "$BUILD_DIR" -j "$JOBS" >"$BUILD_DIR/build.log" 2>&1; then
  tail -n 60 "$BUILD_DIR/build.log" >&2
  echo "litrank fuzz: build FAILED (log $BUILD_DIR/build.log)" >&2
  exit 1
fi
grep -E 'warning:' "$BUILD_DIR/build.log" >&2 || true
built=$(( $(date +%s) - start ))

harnesses=()
for src in tests/fuzz/*_fuzzer.cpp; do
  name=$(basename "$src" .cpp); name=${name%_fuzzer}
  if [ ${#only[@]} -gt 0 ]; then
    keep=0; for o in "${only[@]}"; do [ "$o" = "$name" ] && keep=1; done
    [ $keep -eq 1 ] || continue
  fi
  harnesses+=("$name")
done
[ ${#harnesses[@]} -gt 0 ] || { echo "litrank fuzz: no harness matches ${only[*]}" >&2; exit 2; }

# Longest input per harness: records are line-oriented and small; XML and JSON
# bodies get room for a few nested records.
max_len() {
  case "$1" in
    pubmed|api_requests|ingest_auto) echo 16384 ;;
    *) echo 8192 ;;
  esac
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
logs="$BUILD_DIR/logs"
mkdir -p "$logs"
for h in "${harnesses[@]}"; do
  bin="$BUILD_DIR/fuzz/${h}_fuzzer"
  seeds="tests/fuzz/seeds/$h"
  regressions="tests/fuzz/regressions/$h"
  mkdir -p "$seeds"
  common=(-max_len="$(max_len "$h")" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1)
  t0=$(date +%s)
  if [ "$mode" = smoke ]; then
    # Every regression input once, then a fixed-seed mutation run from the seeds.
    # Nothing is written into the repository.
    inputs=("$seeds")
    [ -d "$regressions" ] && [ -n "$(ls -A "$regressions" 2>/dev/null)" ] && inputs+=("$regressions")
    scratch=$(mktemp -d)
    # -reload=0 and -use_cmp=0 make the run the same every time: re-reading the corpus
    # is timed, and comparison operands include pointers, which ASLR moves.
    if "$bin" "${common[@]}" -runs="$RUNS" -seed=1 -reload=0 -use_cmp=0 -artifact_prefix="$scratch/" \
         "$scratch" "${inputs[@]}" >"$logs/$h.log" 2>&1; then
      status=ok
    else
      status=FAILED; failed+=("$h")
      tail -n 40 "$logs/$h.log" >&2
      # Keep what failed next to the log (copy it to tests/fuzz/regressions/$h/ with the fix).
      mkdir -p "$BUILD_DIR/artifacts/$h"
      for a in "$scratch"/crash-* "$scratch"/leak-* "$scratch"/timeout-* "$scratch"/oom-* \
               "$scratch"/slow-unit-*; do
        [ -f "$a" ] && cp "$a" "$BUILD_DIR/artifacts/$h/" && echo "litrank fuzz: failing input $BUILD_DIR/artifacts/$h/$(basename "$a")" >&2
      done
    fi
    rm -rf "$scratch"
  else
    corpus="$BUILD_DIR/corpus/$h"
    mkdir -p "$corpus" "$regressions"
    # A crash stops the harness; its input is written into tests/fuzz/regressions/<h>/.
    if "$bin" "${common[@]}" -max_total_time="$seconds" -artifact_prefix="$ROOT/$regressions/" \
         "$corpus" "$seeds" >"$logs/$h.log" 2>&1; then
      status=ok
    else
      status=FAILED; failed+=("$h")
      grep -E 'ERROR|SUMMARY|contract broken|Test unit written' "$logs/$h.log" | head -n 8 >&2 || true
    fi
  fi
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$logs/$h.log" | grep -oE '[0-9]+$' || echo "?")
  cov=$(grep -oE 'cov: [0-9]+' "$logs/$h.log" | tail -n 1 | grep -oE '[0-9]+' || echo "?")
  printf 'litrank fuzz: %-16s %-6s %8s runs, cov %5s, %3ss (log %s)\n' \
         "$h" "$status" "$execs" "$cov" "$(( $(date +%s) - t0 ))" "$logs/$h.log"
done

total=$(( $(date +%s) - start ))
if [ ${#failed[@]} -gt 0 ]; then
  echo "litrank fuzz $mode: FAILED ${#failed[@]} of ${#harnesses[@]} harnesses (${failed[*]}); build ${built}s, total ${total}s" >&2
  exit 1
fi
echo "litrank fuzz $mode: ${#harnesses[@]} harnesses passed; build ${built}s, total ${total}s"
