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
# ccache, where installed, makes a rebuild of unchanged sources (another clone, the
# sanitizer build of llama.cpp) cheap; it is not required.
launcher=()
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE:-Release} "${launcher[@]}" "$@" >/dev/null
targets=()
for t in ${LITRANK_BUILD_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$BUILD_DIR" -j"$(nproc)" "${targets[@]}"
