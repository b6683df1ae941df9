#!/usr/bin/env bash
# GPU smoke test for the collector (needs an NVIDIA GPU; exits 77 = skipped without one).
# Builds (unless --no-build), runs tests/gpu/smoke_workload linked with the collector and under
# `moeprof record` (injected), checks both traces with check_smoke_trace, measures the collector's
# overhead on a loop of tiny kernels, and leaves the traces in --out (and --fixtures if given).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-gpu"
out="$root/build-gpu/gpu-smoke-out"
fixtures=""
do_build=1
overhead_iters=20000
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --fixtures) fixtures="$2"; shift 2 ;;
    --no-build) do_build=0; shift ;;
    --overhead-iters) overhead_iters="$2"; shift 2 ;;
    *) echo "usage: $0 [--build-dir DIR] [--out DIR] [--fixtures DIR] [--no-build] [--overhead-iters N]" >&2; exit 2 ;;
  esac
done

if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "gpu-smoke: no NVIDIA GPU here; skipped"
  exit 77
fi
nvidia-smi -L

if [ "$do_build" = 1 ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMOEPROF_WITH_CUDA=ON -DMOEPROF_WITH_GUI=OFF >/dev/null
  cmake --build "$build" -j"$(nproc)" --target moeprof moeprof_inject smoke_workload smoke_workload_linked check_smoke_trace
fi
bin_workload="$(find "$build" -name smoke_workload -type f -perm -u+x | head -1)"
bin_linked="$(find "$build" -name smoke_workload_linked -type f -perm -u+x | head -1)"
bin_check="$(find "$build" -name check_smoke_trace -type f -perm -u+x | head -1)"
bin_moeprof="$(find "$build" -name moeprof -type f -perm -u+x | head -1)"
inject="$(find "$build" -name libmoeprof_inject.so | head -1)"
for f in "$bin_workload" "$bin_linked" "$bin_check" "$bin_moeprof" "$inject"; do
  [ -n "$f" ] || { echo "gpu-smoke: missing build products in $build" >&2; exit 2; }
done

rm -rf "$out"; mkdir -p "$out/linked" "$out/injected"
status=0

echo "== linked mode"
# No NVTX_INJECTION64_PATH here: it would load a second, separate collector from the .so; the
# linked collector attaches to the program's NVTX itself.
env -u NVTX_INJECTION64_PATH MOEPROF_OUTPUT="$out/linked/smoke_linked.sqlite" \
  "$bin_linked" | tee "$out/linked/expect.txt"
"$bin_check" "$out/linked/smoke_linked.sqlite" "$out/linked/expect.txt" || status=1

echo "== linked mode with another CUPTI client attached first"
other_err="$out/linked/other_subscriber.err"
if env -u NVTX_INJECTION64_PATH MOEPROF_OUTPUT="$out/linked/other.sqlite" "$bin_linked" --other-subscriber \
     >/dev/null 2>"$other_err"; then
  cat "$other_err"
  if [ "$(grep -c '^moeprof: another CUPTI client is already attached (.*smoke-other-profiler); nothing recorded$' "$other_err")" = 1 ] \
     && [ ! -e "$out/linked/other.sqlite" ]; then
    echo "  [ok] one line names the other client; program ran to completion; no trace left"
  else
    echo "  [FAIL] expected exactly one line naming smoke-other-profiler and no trace"; status=1
  fi
else
  echo "  [FAIL] the program did not complete with another CUPTI client attached"; cat "$other_err"; status=1
fi

echo "== injected mode (moeprof record)"
MOEPROF_INJECT_LIB="$inject" "$bin_moeprof" record -o "$out/injected" -- "$bin_workload" | tee "$out/injected/expect.txt"
trace="$(find "$out/injected" -name "*.sqlite" | sort | head -1)"
"$bin_check" "$trace" "$out/injected/expect.txt" || status=1
"$bin_moeprof" info "$trace" || status=1

echo "== SIGKILL mid-run (injected, flush every 200 ms)"
mkdir -p "$out/killed"
CUDA_INJECTION64_PATH="$inject" NVTX_INJECTION64_PATH="$inject" MOEPROF_OUTPUT="$out/killed" \
  MOEPROF_FLUSH_MS=200 MOEPROF_QUIET=1 "$bin_workload" --overhead 400000 >/dev/null 2>&1 &
victim=$!
sleep 3
kill -KILL "$victim" 2>/dev/null || true
wait "$victim" 2>/dev/null || true
killed_trace="$(find "$out/killed" -name "*.sqlite" | head -1)"
if [ -n "$killed_trace" ] && "$bin_moeprof" info "$killed_trace" > "$out/killed/info.txt" 2>&1; then
  kernels=$(awk '$1 == "rows" && $2 == "api" {next} {for (i = 1; i < NF; i++) if ($i == "kernel") print $(i + 1)}' "$out/killed/info.txt" | head -1 | tr -d ,)
  if [ -n "$kernels" ] && [ "$kernels" -gt 0 ]; then
    echo "  [ok] killed run's trace opens and holds $kernels kernels"
  else
    echo "  [FAIL] killed run's trace holds no kernels"; cat "$out/killed/info.txt"; status=1
  fi
else
  echo "  [FAIL] killed run left no readable trace"; [ -f "$out/killed/info.txt" ] && cat "$out/killed/info.txt"; status=1
fi

# Overhead: best of 5 timed loops per process, best of 3 processes, with and without the
# collector (injected). Tiny kernels = launch-bound worst case; medium = GPU-bound like training.
best() { sort -n | head -1; }
per_kernel() { sed -n 's/.*per_kernel_us=\([0-9.]*\).*/\1/p'; }
mkdir -p "$out/overhead"
: > "$out/overhead.txt"
for kind in tiny medium; do
  flag=""; [ "$kind" = medium ] && flag="--medium"
  echo "== overhead ($kind kernels): $overhead_iters kernels per timed loop"
  plain=$(for i in 1 2 3; do "$bin_workload" --overhead "$overhead_iters" $flag | per_kernel; done | best)
  traced=$(for i in 1 2 3; do MOEPROF_INJECT_LIB="$inject" "$bin_moeprof" record -o "$out/overhead/$kind$i" -- \
             "$bin_workload" --overhead "$overhead_iters" $flag 2>/dev/null | per_kernel; done | best)
  awk -v k="$kind" -v a="$plain" -v b="$traced" 'BEGIN { printf "overhead %s kernels: %.3f us/kernel without, %.3f us with the collector: %+.1f %%\n", k, a, b, (b - a) / a * 100 }' \
    | tee -a "$out/overhead.txt"
done

if [ -n "$fixtures" ]; then
  mkdir -p "$fixtures"
  cp "$out/linked/smoke_linked.sqlite" "$fixtures/smoke_linked.sqlite"
  cp "$trace" "$fixtures/smoke_injected.sqlite"
  cp "$out/linked/expect.txt" "$fixtures/expect.txt"
fi
[ "$status" = 0 ] && echo "gpu-smoke: PASS" || echo "gpu-smoke: FAIL"
exit "$status"
