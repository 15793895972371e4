#!/usr/bin/env python3
"""A Pareto front against the ways a user would otherwise get trade-offs (issue 5's targets).

On one phantom pair (default: medium, large deformation, seed 21), with organ labels and every
other landmark pair as guidance, it runs and times:
  single   `modir register` with the default weights (one answer);
  front    `modir register --pareto N` (shared affine and coarse levels, warm starts);
  naive    N independent `modir register` runs with the front's first N weight vectors;
  elastix  elastix's affine + B-spline registration (bench/peers), unguided, for reference.
Every result is scored on the held-out landmark half and the labels with `modir evaluate`, and
the front and the naive set are compared by hypervolume on jointly normalised objectives.
Python 3 standard library only; prints one Markdown table and writes WORK/front_results.json.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "peers"))
import run_peers  # noqa: E402  (case generation, landmark split, process measurement)


def timed(cmd, log):
    """Runs cmd, returns wall seconds and peak RSS (MiB); raises on failure."""
    r = run_peers.measure([str(c) for c in cmd], log)
    if r["rc"] != 0:
        raise SystemExit(f"failed ({r['rc']}): {' '.join(map(str, cmd))}; see {log}")
    return r


def evaluate(modir, case, displacement, warped_labels, out_json):
    cmd = [modir, "evaluate", "--quiet", "--fixed-labels", case["fixed_labels"],
           "--warped-labels", warped_labels, "--displacement", displacement,
           "--fixed-landmarks", case["fixed_landmarks_heldout"],
           "--moving-landmarks", case["moving_landmarks_heldout"], "--json", out_json]
    subprocess.run([str(c) for c in cmd], check=True, stdout=subprocess.DEVNULL)
    ev = json.loads(Path(out_json).read_text())
    dice = {str(l["value"]): l["dice"] for l in ev["labels"]}
    return {"tre_mean_mm": ev["landmarks"]["mean_mm"], "tre_p95_mm": ev["landmarks"]["p95_mm"],
            "dice_bladder": dice.get("3"), "folded_fraction": ev["jacobian"]["folded_fraction"]}


def objective_vector(objectives):
    keys = [k for k in ("image", "guidance_mm", "deformation") if k in objectives]
    return [objectives[k] for k in keys]


def non_dominated(points):
    def dominates(a, b):
        return all(x <= y for x, y in zip(a, b)) and any(x < y for x, y in zip(a, b))
    return [p for p in points if not any(dominates(q, p) for q in points if q is not p)]


def hypervolume(points, reference):
    """Exact hypervolume of minimisation points below `reference`, 2 or 3 objectives (slicing)."""
    pts = [p for p in points if all(x < r for x, r in zip(p, reference))]
    if not pts:
        return 0.0
    if len(reference) == 2:
        pts = sorted(pts)
        area, best_y = 0.0, reference[1]
        for x, y in pts:
            if y < best_y:
                area += (reference[0] - x) * (best_y - y)
                best_y = y
        return area
    pts = sorted(pts, key=lambda p: p[2])
    volume = 0.0
    for i, p in enumerate(pts):
        top = pts[i + 1][2] if i + 1 < len(pts) else reference[2]
        if top > p[2]:
            volume += hypervolume([q[:2] for q in pts[:i + 1]], reference[:2]) * (top - p[2])
    return volume


def normalise(points, ideal, nadir):
    return [[(x - lo) / (hi - lo) if hi > lo else 0.0 for x, lo, hi in zip(p, ideal, nadir)]
            for p in points]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--modir", default="build/release/apps/modir/modir")
    p.add_argument("--size", default="medium")
    p.add_argument("--deformation", default="large")
    p.add_argument("--seed", default="21")
    p.add_argument("--solutions", type=int, default=12)
    p.add_argument("--threads", default="2")
    p.add_argument("--work", default="out/front")
    p.add_argument("--skip-naive", action="store_true", help="no N independent runs")
    p.add_argument("--skip-elastix", action="store_true", help="no elastix reference run")
    args = p.parse_args()
    modir = str(Path(args.modir).resolve())
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    case = run_peers.make_case(type("Binary", (), {"path": modir})(), work, args.size,
                               args.deformation, args.seed)
    guidance = ["--fixed-labels", case["fixed_labels"], "--moving-labels", case["moving_labels"],
                "--fixed-landmarks", case["fixed_landmarks_guide"],
                "--moving-landmarks", case["moving_landmarks_guide"]]
    images = ["--fixed", case["fixed"], "--moving", case["moving"]]
    runs = work / "runs" / case["name"]
    runs.mkdir(parents=True, exist_ok=True)
    # Ground truth for --truth: the labels and the held-out landmarks only.
    truth = runs / "truth"
    truth.mkdir(exist_ok=True)
    for name in ("fixed_labels.nii.gz", "moving_labels.nii.gz"):
        link = truth / name
        if not link.exists():
            link.symlink_to(case[name.replace(".nii.gz", "")])
    for side in ("fixed", "moving"):
        (truth / f"{side}_landmarks.csv").write_text(
            Path(case[f"{side}_landmarks_heldout"]).read_text())
    results = {"case": case["name"], "load_average_start": os.getloadavg()}

    # 1. one registration with the default weights
    d = runs / "single"
    r = timed([modir, "register", *images, *guidance, "--out", d, "--threads", args.threads],
              runs / "single.log")
    report = json.loads((d / "report.json").read_text())
    results["single"] = {"wall_s": r["wall_s"], "peak_rss_mib": r["peak_rss_mib"],
                         "objectives": objective_vector(report["objectives"]),
                         **evaluate(modir, case, d / "displacement.nii.gz",
                                    d / "warped_labels.nii.gz", runs / "single_eval.json")}

    # 2. the front
    d = runs / "front"
    r = timed([modir, "register", *images, *guidance, "--pareto", args.solutions,
               "--truth", truth, "--out", d, "--threads", args.threads], runs / "front.log")
    front = json.loads((d / "front.json").read_text())
    sols = front["solutions"]
    results["front"] = {"wall_s": r["wall_s"], "peak_rss_mib": r["peak_rss_mib"],
                        "runs": len(sols), "hypervolume_own": front.get("hypervolume"),
                        "objectives": [s["objectives"] for s in sols],
                        "folded": [s["folded_fraction"] for s in sols],
                        "tre_mean_mm": [s["truth"]["tre_mean_mm"] for s in sols],
                        "dice_bladder": [s["truth"]["dice"].get("3") for s in sols],
                        "weights": [s["weights"] for s in sols]}

    # 3. the naive way: N independent runs with the same weight vectors
    if not args.skip_naive:
        naive = {"wall_s": 0.0, "objectives": [], "tre_mean_mm": [], "dice_bladder": [], "folded": []}
        for k, s in enumerate(sols[:args.solutions]):
            w = s["weights"]
            config = {"image": {"weight": w["image"]},
                      "guidance": {"label_weight": w["label_weight"],
                                   "landmark_weight": w["landmark_weight"]},
                      "regularity": {"bending_weight": w["bending_weight"],
                                     "elastic_weight": w["elastic_weight"]}}
            cfg = runs / f"naive_{k:02d}.json"
            cfg.write_text(json.dumps(config))
            d = runs / f"naive_{k:02d}"
            r = timed([modir, "register", *images, *guidance, "--config", cfg, "--out", d,
                       "--threads", args.threads], runs / f"naive_{k:02d}.log")
            rep = json.loads((d / "report.json").read_text())
            ev = evaluate(modir, case, d / "displacement.nii.gz", d / "warped_labels.nii.gz",
                          runs / f"naive_{k:02d}_eval.json")
            naive["wall_s"] += r["wall_s"]
            naive["objectives"].append(objective_vector(rep["objectives"]))
            naive["tre_mean_mm"].append(ev["tre_mean_mm"])
            naive["dice_bladder"].append(ev["dice_bladder"])
            naive["folded"].append(ev["folded_fraction"])
            print(f"  naive {k + 1}/{args.solutions}: {r['wall_s']:.1f} s", file=sys.stderr)
        results["naive"] = naive

    # 4. elastix, unguided, same case and held-out scoring (bench/peers)
    if not args.skip_elastix:
        peers = work / "peers"
        subprocess.run([sys.executable, str(HERE.parent / "peers" / "run_peers.py"), "--tools",
                        "elastix", "--sizes", args.size, "--deformations", args.deformation,
                        "--seeds", args.seed, "--guided", "--work", str(work),
                        "--modir", modir, "--threads", args.threads], check=True)
        res = json.loads((work / "results.json").read_text())
        el = next(x for x in res["runs"] if x["case"] == case["name"] and x["tool"] == "elastix")
        results["elastix"] = {"wall_s": el["registration"]["wall_s"],
                              "tre_mean_mm": el["metrics"]["tre_mean_mm"],
                              "dice_bladder": el["metrics"]["dice"].get("bladder")}

    # Hypervolume on jointly normalised objectives (ideal and nadir of everything compared).
    front_pts = results["front"]["objectives"]
    naive_pts = results.get("naive", {}).get("objectives", [])
    union = front_pts + naive_pts + [results["single"]["objectives"]]
    dims = len(front_pts[0])
    ideal = [min(p[i] for p in union) for i in range(dims)]
    nadir = [max(p[i] for p in union) for i in range(dims)]
    ref = [1.1] * dims
    results["front"]["hypervolume_joint"] = hypervolume(
        non_dominated(normalise(front_pts, ideal, nadir)), ref)
    if naive_pts:
        results["naive"]["hypervolume_joint"] = hypervolume(
            non_dominated(normalise(naive_pts, ideal, nadir)), ref)
    single = results["single"]["objectives"]
    results["front"]["dominates_single"] = [
        k for k, q in enumerate(front_pts)
        if all(a <= b for a, b in zip(q, single)) and any(a < b for a, b in zip(q, single))]
    results["load_average_end"] = os.getloadavg()
    (work / "front_results.json").write_text(json.dumps(results, indent=1))
    print_table(results, args)


def print_table(r, args):
    f, s = r["front"], r["single"]
    print(f"\n### {r['case']}: front of {args.solutions} vs the alternatives\n")
    print("| run | wall s | hypervolume (joint) | best TRE mm | bladder Dice of best-TRE | folded |")
    print("|---|---|---|---|---|---|")
    print(f"| modir single (default weights) | {s['wall_s']:.1f} | — | {s['tre_mean_mm']:.2f} | "
          f"{s['dice_bladder']:.3f} | {s['folded_fraction']:.3g} |")
    b = min(range(len(f["tre_mean_mm"])), key=lambda k: f["tre_mean_mm"][k])
    print(f"| modir front ({f['runs']} runs) | {f['wall_s']:.1f} | {f['hypervolume_joint']:.3f} | "
          f"{f['tre_mean_mm'][b]:.2f} | {f['dice_bladder'][b]:.3f} | {max(f['folded']):.3g} (max) |")
    if "naive" in r:
        n = r["naive"]
        bn = min(range(len(n["tre_mean_mm"])), key=lambda k: n["tre_mean_mm"][k])
        print(f"| naive: {len(n['objectives'])} independent runs | {n['wall_s']:.1f} | "
              f"{n['hypervolume_joint']:.3f} | {n['tre_mean_mm'][bn]:.2f} | "
              f"{n['dice_bladder'][bn]:.3f} | {max(n['folded']):.3g} (max) |")
    if "elastix" in r:
        e = r["elastix"]
        print(f"| elastix (unguided) | {e['wall_s']:.1f} | — | {e['tre_mean_mm']:.2f} | "
              f"{e['dice_bladder']:.3f} | |")
    print("\nTargets:")
    checks = [("front time <= 3 single runs", f["wall_s"] <= 3 * s["wall_s"],
               f"{f['wall_s']:.1f} vs {3 * s['wall_s']:.1f} s")]
    if "elastix" in r:
        e = r["elastix"]
        checks.append(("front time <= elastix", f["wall_s"] <= e["wall_s"],
                       f"{f['wall_s']:.1f} vs {e['wall_s']:.1f} s"))
        better = [k for k in range(len(f["tre_mean_mm"]))
                  if f["tre_mean_mm"][k] < e["tre_mean_mm"] and f["dice_bladder"][k] > e["dice_bladder"]]
        checks.append(("a solution beats elastix in TRE and bladder Dice", bool(better),
                       f"solutions {better}"))
    if "naive" in r:
        n = r["naive"]
        checks.append(("HV(front) >= HV(naive)", f["hypervolume_joint"] >= n["hypervolume_joint"],
                       f"{f['hypervolume_joint']:.3f} vs {n['hypervolume_joint']:.3f}"))
        checks.append(("front time <= naive time / 3", f["wall_s"] <= n["wall_s"] / 3,
                       f"{f['wall_s']:.1f} vs {n['wall_s'] / 3:.1f} s"))
    checks.append(("a solution dominates the single default run", bool(f["dominates_single"]),
                   f"solutions {f['dominates_single']}"))
    checks.append(("best TRE <= 1.5 mm", min(f["tre_mean_mm"]) <= 1.5, f"{min(f['tre_mean_mm']):.2f} mm"))
    checks.append(("every solution fold-free", max(f["folded"]) == 0, f"max {max(f['folded']):.3g}"))
    for name, ok, detail in checks:
        print(f"- {'met' if ok else 'NOT met'}: {name} ({detail})")
    print(f"\nLoad average (1 min) at start {r['load_average_start'][0]:.1f}, "
          f"at end {r['load_average_end'][0]:.1f}, on {os.cpu_count()} cores.")


if __name__ == "__main__":
    main()
