#!/usr/bin/env python3
"""Peak memory of `modir register` against its own estimate, on phantom pairs.

Each run's report.json holds both the estimate (`estimated_peak_memory_mib`, what --dry-run
prints) and the measured resident peak (`peak_memory_mib`); this prints them side by side with the
working grid and the input grid, the two sizes the model in src/modir/register/memory_estimate.cpp
counts. Pairs are SIZE:SEED (phantom, large deformation); modes are image (scans alone), guided
(the true labels and landmarks) and front6 (a front of 6 solutions, guided).

  bench/memory/register_memory.py small:7 medium:302 large:303 --modes image,guided
  bench/memory/register_memory.py medium:302 --spacings 1.5,1.75 --json out/memory.json
"""
import argparse
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def phantom(modir, work, size, seed):
    d = Path(work) / f"{size}_s{seed}"
    if not (d / "meta.json").is_file():
        subprocess.run([modir, "phantom", "--quiet", "--seed", seed, "--size", size,
                        "--deformation", "large", "--out", d], check=True)
    return d


def register(modir, case, mode, spacing, threads):
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.json"
        config.write_text(json.dumps({"deformable": {"finest_image_spacing_mm": spacing}}))
        out = Path(tmp) / "out"
        cmd = [modir, "register", "--fixed", case / "fixed.nii.gz", "--moving",
               case / "moving.nii.gz", "--out", out, "--quiet", "--threads", str(threads),
               "--config", config]
        if mode in ("guided", "front6"):
            cmd += ["--fixed-labels", case / "fixed_labels.nii.gz",
                    "--moving-labels", case / "moving_labels.nii.gz",
                    "--fixed-landmarks", case / "fixed_landmarks.csv",
                    "--moving-landmarks", case / "moving_landmarks.csv"]
        if mode == "front6":
            cmd += ["--pareto", "6"]
        subprocess.run([str(c) for c in cmd], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        return json.loads((out / "report.json").read_text())


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("pairs", nargs="+", help="SIZE:SEED, e.g. medium:302")
    p.add_argument("--modir", default=str(REPO / "build" / "release" / "apps" / "modir" / "modir"))
    p.add_argument("--modes", default="image,guided")
    p.add_argument("--spacings", default="1.75", help="finest_image_spacing_mm values")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--work", default=str(REPO / "out" / "memory"))
    p.add_argument("--json", help="also write the rows here")
    args = p.parse_args()
    rows = []
    print(f"{'pair':<12} {'mode':<7} {'spacing':>7} {'input Mvox':>10} {'W Mvox':>7} "
          f"{'estimate':>8} {'measured':>8} {'error':>6}")
    for pair in args.pairs:
        size, seed = pair.split(":")
        case = phantom(args.modir, args.work, size, seed)
        fixed = json.loads((case / "meta.json").read_text())["grids"]["fixed"]
        input_mvox = math.prod(fixed["size"]) / 1e6
        for spacing in [float(s) for s in args.spacings.split(",")]:
            for mode in args.modes.split(","):
                r = register(args.modir, case, mode, spacing, args.threads)
                est, peak = r["estimated_peak_memory_mib"], r["peak_memory_mib"]
                w = math.prod(max(1.0, n * s / max(s, spacing))
                              for n, s in zip(fixed["size"], fixed["spacing_mm"])) / 1e6
                row = dict(pair=pair, mode=mode, spacing=spacing, input_mvox=input_mvox,
                           working_mvox=w, estimate_mib=est, measured_mib=peak,
                           error=(est - peak) / peak)
                rows.append(row)
                print(f"{pair:<12} {mode:<7} {spacing:>7g} {input_mvox:>10.2f} {w:>7.2f} "
                      f"{est:>8.0f} {peak:>8.0f} {100 * row['error']:>+5.0f}%", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
