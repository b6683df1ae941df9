#!/usr/bin/env bash
# Report benchmark driver: generates 1 M and 10 M-kernel traces with moeprof-gen (once; kept in
# $BENCH_DIR), then measures the full report two ways — bench_report (time per phase, getrusage
# peak RSS) and the real CLI under /usr/bin/time -v (end to end, as a user runs it).
# Usage: tests/bench/report/run_report_bench.sh BUILD_DIR [BENCH_DIR]
# Pin to 2 cores like the bar says: taskset -c 0,1 tests/bench/report/run_report_bench.sh build
set -euo pipefail
build=${1:?usage: run_report_bench.sh BUILD_DIR [BENCH_DIR]}
dir=${2:-/tmp/moeprof-bench-report}
gen=$build/tests/generator/moeprof-gen
bench=$build/tests/bench/report/bench_report
cli=$build/analyzer/moeprof
mkdir -p "$dir"
for n in 1000000 10000000; do
  out=$dir/k$n
  if [[ ! -f $out/rank0.sqlite ]]; then
    echo "== generating $n kernels into $out"
    "$gen" bulk "$out" --kernels "$n"
  fi
  echo "== bench_report $out ($(du -h "$out/rank0.sqlite" | cut -f1) on disk)"
  "$bench" "$out"
  echo "== moeprof report $out (/usr/bin/time -v)"
  /usr/bin/time -v "$cli" report "$out" --format json -o "$dir/report-$n.json" 2> "$dir/time-$n.txt" || true
  grep -E "Elapsed|Maximum resident|User time|System time" "$dir/time-$n.txt"
done
