#!/usr/bin/env bash
# Installs dependencies, fetches the pinned llama.cpp and builds litrank (plus the
# llama-server / llama-bench anchors and the tests) into build/. Extra arguments go to
# CMake, e.g. scripts/build.sh -DLITRANK_CUDA=ON  or  -DLITRANK_PORTABLE=ON.
# LITRANK_BUILD_TARGETS="litrank" builds only those targets (the demo needs no anchors
# and no tests).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
BUILD_DIR=${LITRANK_BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE:-Release} "$@" >/dev/null
targets=()
for t in ${LITRANK_BUILD_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$BUILD_DIR" -j"$(nproc)" "${targets[@]}"
