#!/usr/bin/env bash
# The main job: set up, build the moeprof CLI, and summarize a trace with `moeprof info`.
# Usage: scripts/run.sh [TRACE_FILE_OR_RUN_DIR...]
# Without arguments it reports on the trace fixtures under tests/fixtures/ (the GPU smoke trace
# tests/fixtures/gpu_smoke/ once it has been recorded); it never fabricates a trace.
# Environment: BUILD_DIR (default: build), CMAKE_ARGS (extra configure arguments).
set -euo pipefail

# Paths given on the command line are relative to where the caller stands, not the repo root.
targets=()
for arg in "$@"; do
  if [[ "$arg" == /* ]]; then targets+=("$arg"); else targets+=("$PWD/$arg"); fi
done
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build_dir=${BUILD_DIR:-build}

scripts/setup.sh
# shellcheck disable=SC2086
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release ${CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)" --target moeprof
moeprof="$build_dir/analyzer/moeprof"
"$moeprof" --version

if [[ ${#targets[@]} -eq 0 ]]; then
  mapfile -t targets < <(find tests/fixtures -type f \( -name '*.sqlite' -o -name '*.db' \) 2>/dev/null | sort)
  if [[ ${#targets[@]} -eq 0 ]]; then
    echo "run: no trace given and no *.sqlite/*.db fixtures under tests/fixtures/ yet;"
    echo "run: pass a trace file or run directory: scripts/run.sh PATH..."
    exit 0
  fi
fi

echo "run: moeprof info ${targets[*]}"
exec "$moeprof" info "${targets[@]}"
