#!/usr/bin/python3
"""Registration guided by predicted labels with QC, against the same registration guided by the
true labels (issue 14), on pairs with the hard set's appearance (its bone streaks were never in
training; its bladder contrast layer has been, in the synthesis's own form, since models/pelvis
session 6).

Per seed: `modir phantom --size medium --deformation large --variety`, both scans given the hard
set's appearance (couch, bone streaks, layered bladder contrast, more noise; see
run_segmentation.py), labels predicted on both with QC, then `modir register` with labels only,
(a) the true label maps, (b) the predicted ones with --fixed-qc/--moving-qc; TRE over all the
phantom's landmarks by `modir evaluate`. Test seeds 9301-9303 (never used for anything else).
`--phantom-option` adds to the pairs' phantom command, e.g. men with gold markers:
`--seeds 9701,9702,9703 --phantom-option=--sex --phantom-option=male --phantom-option=--markers`
(the markers' residual that `register` reports is then printed beside the TRE).
"""
import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "peers"))
sys.dont_write_bytecode = True

import run_peers  # noqa: E402
import run_segmentation as seg  # noqa: E402


def make_pair(modir, work, seed, phantom_options=()):
    d = work / "pairs" / f"large_variety_{seed}"
    if not (d / "moving_labels.nii.gz").exists():
        run_peers.checked(run_peers.measure(
            [modir, "phantom", "--seed", seed, "--size", "medium", "--deformation", "large",
             "--variety", *phantom_options, "--out", d, "--quiet"],
            work / "logs" / f"pair_{seed}.log"), "phantom")
    hard = {}
    for side in ("fixed", "moving"):
        src = {"image": d / f"{side}.nii.gz", "labels": d / f"{side}_labels.nii.gz"}
        hard[side] = seg.hard_case(work / side, seed, src)
    return d, hard


def register_and_score(modir, d, hard, labels, qc, out, threads):
    out.mkdir(parents=True, exist_ok=True)
    cmd = [modir, "register", "--fixed", hard["fixed"]["image"], "--moving", hard["moving"]["image"],
           "--fixed-labels", labels[0], "--moving-labels", labels[1], "--out", out,
           "--threads", threads, "--quiet"]
    if qc:
        cmd += ["--fixed-qc", qc[0], "--moving-qc", qc[1]]
    reg = run_peers.checked(run_peers.measure(cmd, out / "register.log"), "register")
    js = out / "evaluate.json"
    run_peers.checked(run_peers.measure(
        [modir, "evaluate", "--displacement", out / "displacement.nii.gz",
         "--fixed-landmarks", d / "fixed_landmarks.csv", "--moving-landmarks",
         d / "moving_landmarks.csv", "--json", js, "--quiet"], out / "evaluate.log"), "evaluate")
    report = json.loads((out / "report.json").read_text())
    return {"tre_mean_mm": json.loads(js.read_text())["landmarks"]["mean_mm"],
            "wall_s": reg["wall_s"], "label_qc": report.get("label_qc"),
            "guiding_organs": report["guidance"]["organs"],
            "fiducial_markers": report.get("fiducial_markers")}


def markers_text(result):
    m = result["fiducial_markers"]
    if not m:
        return "-"
    return f"{m['paired']}/{m['fixed_found']}, {m['mean_residual_mm']:.2f} / {m['max_residual_mm']:.2f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--modir", default=None)
    ap.add_argument("--model", default="", help="model folder (default: the shipped one)")
    ap.add_argument("--seeds", default="9301,9302,9303")
    ap.add_argument("--threads", default="2")
    ap.add_argument("--phantom-option", action="append", default=[],
                    help="added to the pairs' `modir phantom` command (repeatable)")
    ap.add_argument("--work", default=str(seg.REPO / "out" / "guided_by_predictions"))
    args = ap.parse_args()
    modir = run_peers.find_modir(args.modir)
    work = Path(args.work).resolve()
    model = str(Path(args.model).resolve()) if args.model else ""
    rows = []
    for seed in [int(s) for s in args.seeds.split(",")]:
        d, hard = make_pair(modir, work, seed, args.phantom_option)
        run = work / "runs" / str(seed)
        preds, qcs = [], []
        for side in ("fixed", "moving"):
            r = seg.predict_and_score(modir, model, f"{seed}_{side}", hard[side],
                                      run / f"predict_{side}", args.threads)
            preds.append(run / f"predict_{side}" / "pred.nii.gz")
            qcs.append(run / f"predict_{side}" / "pred.qc.json")
            print(f"{seed} {side}: " + ", ".join(
                f"{o} {v['dice']:.3f}{'*' if v['flagged'] else ''}"
                for o, v in r["organs"].items() if v["dice"] is not None), flush=True)
        truth = register_and_score(modir, d, hard, (hard["fixed"]["labels"],
                                                    hard["moving"]["labels"]), None,
                                   run / "true_labels", args.threads)
        predicted = register_and_score(modir, d, hard, preds, qcs, run / "predicted_labels",
                                       args.threads)
        rows.append((seed, truth, predicted))
        print(f"{seed}: TRE true labels {truth['tre_mean_mm']:.2f} mm, predicted labels with QC "
              f"{predicted['tre_mean_mm']:.2f} mm (guiding {predicted['guiding_organs']}; "
              f"QC {json.dumps(predicted['label_qc'])})", flush=True)
    print("\n| seed | TRE true labels | TRE predicted + QC | difference | markers, true labels "
          "(paired, residual mean / max mm) | markers, predicted |\n|---|---|---|---|---|---|")
    for seed, t, p in rows:
        print(f"| {seed} | {t['tre_mean_mm']:.2f} | {p['tre_mean_mm']:.2f} | "
              f"{p['tre_mean_mm'] - t['tre_mean_mm']:+.2f} | {markers_text(t)} | "
              f"{markers_text(p)} |")


if __name__ == "__main__":
    main()
