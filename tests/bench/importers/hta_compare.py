#!/usr/bin/env python3
"""Kineto import speed: moeprof vs Holistic Trace Analysis (HTA), same files, same machine, one run.

For each Kineto file (default: every .json/.json.gz under ../shared/data/traces):
  - moeprof: bench_kineto_import (best of --runs imports into a trace file, peak RSS of a child
    process doing only that file);
  - HTA: `TraceAnalysis(trace_dir=...)` construction on a directory holding only that file (a
    symlink), in a fresh Python process per run, best of --hta-runs; peak RSS of that process
    (includes the interpreter and pandas, as a user of HTA pays them).
Prints one table (markdown with --markdown) and the overall ratio (sum of HTA times / sum of ours).

  pip install HolisticTraceAnalysis   # into the Python given by --python (default: python3)
  tests/bench/importers/hta_compare.py --bench build/tests/bench/importers/bench_kineto_import \
      --python /path/to/venv/bin/python [--markdown] [FILE...]
"""
import argparse
import os
import pathlib
import subprocess
import sys
import tempfile

HTA_CHILD = r"""
import json, os, resource, sys, time, logging
logging.disable(logging.WARNING)
from hta.trace_analysis import TraceAnalysis
t0 = time.perf_counter()
TraceAnalysis(trace_dir=sys.argv[1])
t = time.perf_counter() - t0
print(json.dumps({"s": t, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def default_files(root):
    traces = root.parent / "shared" / "data" / "traces"
    files = sorted(str(p) for p in traces.rglob("*") if p.name.endswith((".json", ".json.gz")))
    if not files:
        sys.exit(f"no Kineto files under {traces}")
    return files


def run_moeprof(bench, files, runs):
    out = subprocess.run([bench, "--tsv", "--runs", str(runs), *files], check=True,
                         capture_output=True, text=True).stdout
    rows = {}
    lines = out.strip().splitlines()
    for line, path in zip(lines[1:], files):
        f = line.split("\t")
        if len(f) < 6:
            rows[path] = None
            continue
        rows[path] = {"events": int(f[2]), "s": float(f[4]), "rss_mb": float(f[5]),
                      "parse_s": float(f[6]) + float(f[7])}
    return rows


def run_hta(python, path, runs):
    best = None
    with tempfile.TemporaryDirectory(prefix="hta_cmp_") as d:
        os.symlink(os.path.abspath(path), os.path.join(d, os.path.basename(path)))
        for _ in range(runs):
            p = subprocess.run([python, "-c", HTA_CHILD, d], capture_output=True, text=True)
            if p.returncode != 0:
                last = (p.stderr.strip().splitlines() or ["failed"])[-1]
                return {"error": last[:80]}
            import json
            r = json.loads(p.stdout.strip().splitlines()[-1])
            if best is None or r["s"] < best["s"]:
                best = r
    return best


def main():
    root = pathlib.Path(__file__).resolve().parents[3]
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--bench", default=str(root / "build" / "tests" / "bench" / "importers" /
                                           "bench_kineto_import"))
    ap.add_argument("--python", default="python3", help="Python with HolisticTraceAnalysis")
    ap.add_argument("--runs", type=int, default=3, help="moeprof runs per file (best kept)")
    ap.add_argument("--hta-runs", type=int, default=2, help="HTA runs per file (best kept)")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    files = a.files or default_files(root)

    ours = run_moeprof(a.bench, files, a.runs)
    rows = []
    tot_ours = tot_hta = tot_parse = 0.0
    for f in files:
        name = f.split("/traces/")[-1]
        o = ours.get(f)
        h = run_hta(a.python, f, a.hta_runs)
        mb = os.path.getsize(f) / 1e6
        if o is None:
            rows.append((name, mb, "failed", "", "", "", ""))
            continue
        if "error" in h:
            rows.append((name, mb, o["events"], f"{o['s'] * 1e3:.0f}", f"{o['rss_mb']:.0f}",
                         f"HTA failed: {h['error']}", ""))
            continue
        tot_ours += o["s"]
        tot_hta += h["s"]
        tot_parse += o["parse_s"]
        rows.append((name, mb, o["events"], f"{o['s'] * 1e3:.0f} ({o['parse_s'] * 1e3:.0f})",
                     f"{o['rss_mb']:.0f}", f"{h['s']:.2f} s / {h['rss_mb']:.0f} MB",
                     f"{h['s'] / o['s']:.1f}x ({h['s'] / max(o['parse_s'], 1e-6):.0f}x)"))
        print(f"  done {name}", file=sys.stderr)

    head = ("file", "MB (disk)", "events", "moeprof ms (read+parse)", "moeprof peak MB",
            "HTA load / peak", "HTA/moeprof (vs read+parse)")
    if a.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for r in rows:
            print("| " + " | ".join(f"{c:.2f}" if isinstance(c, float) else str(c) for c in r) + " |")
    else:
        print(f"{head[0]:<60} {head[1]:>9} {head[2]:>8} {head[3]:>24} {head[4]:>8} {head[5]:>22} {head[6]:>14}")
        for r in rows:
            print(f"{r[0]:<60} {r[1]:>9.2f} {r[2]!s:>8} {r[3]:>24} {r[4]:>8} {r[5]:>22} {r[6]:>14}")
    if tot_ours > 0:
        print(f"\ntotal over files both loaded: moeprof {tot_ours:.2f} s, HTA {tot_hta:.2f} s, "
              f"ratio {tot_hta / tot_ours:.1f}x; read+parse only {tot_parse:.2f} s, "
              f"ratio {tot_hta / tot_parse:.1f}x")


if __name__ == "__main__":
    main()
