#!/usr/bin/env python3
"""Times `modir phantom` for each size (a benchmark, not a test).

Targets from the issue: small < 2 s, medium < 20 s on the 2-core development machine.
Usage: bench/phantom_speed.py [--modir build/release/apps/modir/modir] [--sizes small,medium]
Prints one line per run and a summary table: wall time (generation and writing), peak RSS.
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

TARGETS = {"small": 2.0, "medium": 20.0, "large": None}


def run_once(modir, size, seed, out):
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run([modir, "phantom", "--quiet", "--seed", str(seed), "--size", size,
                    "--deformation", "large", "--out", out], check=True)
    wall = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak_kib, before) / 1024.0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modir", default="build/release/apps/modir/modir")
    parser.add_argument("--sizes", default="small,medium")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if not os.access(args.modir, os.X_OK):
        sys.exit(f"phantom_speed: {args.modir} is not built; run ./scripts/build first")
    print(f"machine: {os.cpu_count()} cores")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes.split(","):
            times = []
            peak = 0.0
            for r in range(args.repeats):
                wall, rss = run_once(args.modir, size, 100 + r, os.path.join(tmp, f"{size}{r}"))
                times.append(wall)
                peak = max(peak, rss)
                print(f"  {size:7s} seed {100 + r}: {wall:6.2f} s")
            rows.append((size, min(times), sum(times) / len(times), peak))
    print(f"\n{'size':8s} {'best s':>8s} {'mean s':>8s} {'target s':>9s} {'peak RSS MiB':>13s}")
    for size, best, mean, peak in rows:
        target = TARGETS.get(size)
        print(f"{size:8s} {best:8.2f} {mean:8.2f} {target if target else '-':>9} {peak:13.0f}")


if __name__ == "__main__":
    main()
