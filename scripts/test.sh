#!/usr/bin/env bash
# The whole test suite from a fresh Debian 12 machine: installs, builds, runs ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh "$@"
BUILD_DIR=${LITRANK_BUILD_DIR:-build}
if [ ! -d ../shared/datasets ]; then
  echo "litrank: ../shared/datasets is absent: tests that need the public datasets will skip" >&2
fi
(cd "$BUILD_DIR" && ctest --output-on-failure --timeout 900)
# The same unit tests under ASan + UBSan, in build-asan/ (see scripts/sanitize.sh).
scripts/sanitize.sh
