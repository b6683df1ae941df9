#!/usr/bin/env bash
# Builds moeprof and runs every test: setup (missing packages) + configure (Ninja, Release) +
# parallel build + ctest. The exit code is ctest's.
# Environment: BUILD_DIR (default: build, relative to the repository root), CMAKE_ARGS (extra
# configure arguments, word-split, e.g. CMAKE_ARGS="-DMOEPROF_WITH_GUI=OFF").
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
build_dir=${BUILD_DIR:-build}
jobs=$(nproc)

scripts/setup.sh
# shellcheck disable=SC2086  # CMAKE_ARGS is meant to split into several arguments
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release ${CMAKE_ARGS:-}
cmake --build "$build_dir" --parallel "$jobs"

# ctest prints its own summary ("100% tests passed, ..." and the failures); its status is ours.
status=0
ctest --test-dir "$build_dir" --output-on-failure -j"$jobs" || status=$?
exit "$status"
