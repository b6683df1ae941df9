#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan, library code instrumented) in a separate
# build directory and runs each on its seed corpus for FUZZ_SECONDS seconds (default 10). Fails
# (exit 1) when a target crashes, leaks, hits a sanitizer report or times out on an input; the
# reproducer is left in $BUILD_DIR/artifacts/. New corpus entries go to $BUILD_DIR/corpus/, never
# into the repository's seed folders.
#   FUZZ_SECONDS=N     seconds per target (default 10)
#   FUZZ_TARGETS="a b" targets to run (default: every fuzz_* target that exists)
#   BUILD_DIR=DIR      build directory (default: build-fuzz in the repository)
#   FUZZ_JOBS=N        build parallelism (default 2)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-fuzz}
seconds=${FUZZ_SECONDS:-10}
jobs=${FUZZ_JOBS:-2}
cc=${CC_FUZZ:-clang}
cxx=${CXX_FUZZ:-clang++}
command -v "$cxx" >/dev/null || { echo "fuzz.sh: $cxx not found (install clang)" >&2; exit 2; }

flags="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -g -O1"
if [ ! -f "$build/build.ninja" ]; then
  CC=$cc CXX=$cxx cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DMOEPROF_WITH_CUDA=OFF -DMOEPROF_WITH_GUI=OFF -DMOEPROF_BUILD_BENCHMARKS=OFF -DMOEPROF_FUZZ_BUILD=ON \
    -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" >"$build.configure.log" 2>&1 ||
    { cat "$build.configure.log" >&2; exit 2; }
fi
targets=${FUZZ_TARGETS:-}
if [ -z "$targets" ]; then
  for f in "$root"/tests/fuzz/fuzz_*.cpp; do targets+=" $(basename "$f" .cpp)"; done
fi
# shellcheck disable=SC2086
cmake --build "$build" -j "$jobs" --target $targets

mkdir -p "$build/artifacts"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for t in $targets; do
  seeds="$root/tests/fuzz/corpus/${t#fuzz_}"
  work="$build/corpus/${t#fuzz_}"
  mkdir -p "$work" "$seeds"
  exe=$(find "$build/tests/fuzz" -maxdepth 1 -name "$t" -type f | head -n1)
  echo "== $t: ${seconds}s on $seeds"
  if ! "$exe" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2560 -max_len=65536 \
      -artifact_prefix="$build/artifacts/$t-" -print_final_stats=1 "$work" "$seeds" \
      >"$build/$t.log" 2>&1; then
    echo "fuzz.sh: $t FAILED (see $build/$t.log and $build/artifacts/)" >&2
    tail -n 40 "$build/$t.log" >&2
    status=1
  else
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+.*DONE" "$build/$t.log" || true
  fi
done
exit $status
