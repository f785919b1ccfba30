#!/usr/bin/env bash
# Installs dependencies, fetches the pinned llama.cpp and builds litrank (plus the
# llama-server / llama-bench anchors) into build/. Extra arguments go to CMake,
# e.g. scripts/build.sh -DLITRANK_CUDA=ON  or  -DLITRANK_PORTABLE=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
BUILD_DIR=${LITRANK_BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE:-Release} "$@" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
