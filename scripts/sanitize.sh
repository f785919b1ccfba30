#!/usr/bin/env bash
# The sanitizer job (CI runs it after the main suite, from scripts/test.sh): the unit
# tests built with AddressSanitizer + UndefinedBehaviorSanitizer (-DLITRANK_SANITIZE=ON,
# llama.cpp itself not instrumented) into build-asan/, then run by ctest. The `litrank`
# binary the CLI / process tests start is the sanitized one too. Leaks count.
# Any sanitizer report fails the job: the report aborts the process, and reports go to
# build-asan/sanitizer-logs/, which must stay empty (so a report from a child whose exit
# status a test does not look at fails it as well). Third-party memory held for the
# process's life is suppressed by library in scripts/lsan.supp (quietly: the tally of
# suppressed leaks would otherwise land in the log folder). The resident-memory test
# skips itself here (ASan's quarantine and redzones); the main suite measures it.
# Left out: browser_page (node + chromium drive the page, nothing of ours to sanitize
# that the server tests do not already run) and fuzz_smoke (sanitized on its own).
# Extra arguments go to ctest, e.g. scripts/sanitize.sh -R 'Corpus|Server'.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${LITRANK_ASAN_BUILD_DIR:-build-asan}
launcher=()
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
# Release like build/, so llama.cpp's objects (same flags: it is not instrumented) come
# from ccache where it is warm.
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DLITRANK_SANITIZE=ON -DLITRANK_ANCHORS=OFF \
  "${launcher[@]}" >/dev/null
start=$SECONDS
cmake --build "$BUILD_DIR" -j"$(nproc)" --target litrank_tests
echo "litrank: sanitizer build took $((SECONDS - start)) s"

logs="$PWD/$BUILD_DIR/sanitizer-logs"
rm -rf "$logs" && mkdir -p "$logs"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:log_path=$logs/asan"
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$logs/ubsan"
start=$SECONDS
rc=0
(cd "$BUILD_DIR" && ctest --output-on-failure --timeout 900 -LE '^(browser|fuzz)$' "$@") || rc=$?
echo "litrank: sanitized tests took $((SECONDS - start)) s"
if [ -n "$(ls -A "$logs")" ]; then
  echo "litrank: sanitizer reports:" >&2
  for f in "$logs"/*; do echo "== $f" >&2; cat "$f" >&2; done
  rc=1
fi
exit $rc
