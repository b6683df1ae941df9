#!/usr/bin/env bash
# The main job: set up, build the moeprof CLI, and report on a trace (`moeprof info` + `moeprof
# report`). Usage: scripts/run.sh [TRACE_FILE_OR_RUN_DIR...]
# Without arguments it reports on a real recording: the PyTorch MoE loop recorded by `moeprof
# record` on an H100 (tests/fixtures/torch_moe/). Once the bundled trainer exists, this records it
# (CPU sim backend without a GPU) instead. It never fabricates a trace.
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
  targets=(tests/fixtures/torch_moe/torch_moe_recorded.sqlite)
  [[ -f "${targets[0]}" ]] || { echo "run: ${targets[0]} is missing; pass a trace: scripts/run.sh PATH..." >&2; exit 2; }
fi

echo "run: moeprof info ${targets[*]}"
"$moeprof" info "${targets[@]}"
echo
echo "run: moeprof report ${targets[*]}"
exec "$moeprof" report "${targets[@]}"
