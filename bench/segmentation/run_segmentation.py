#!/usr/bin/python3
"""Segmentation on appearance it was not trained on, and whether QC says so (issue 14).

Sets (fixed scans of `modir phantom --size medium`, seeds never used in training; the shipped
model's cohort is seed 101):
  in_distribution  TEST seeds 9001-9010, the training protocol (one scanner per size);
  variety          seeds 9101-9110 with `--variety`: slice thickness 1-5 mm, scanned range,
                   field-of-view offset (truncated outline), kernel, noise level and texture,
                   contrast and calibration drawn per scan; no training image had them;
  hard             the variety scans with what the phantom does not draw: a patient couch,
                   streaks from the bones, a contrast layer in the bladder (urine above, 300 HU
                   below), 20 HU more noise. The training synthesis has no such streaks; since
                   models/pelvis session 6 it draws settled bladder contrast of its own (other
                   levels, shares and tilts), so the layer is no longer unseen;
  calcified        the variety scans with `--calcifications` (phantom.md, "Calcifications"):
                   phleboliths, plaques on the iliac arteries, prostatic foci, all as bright as
                   bone and labelled by the organ they lie in; no training image of
                   models/pelvis up to session 6 held one (the variety set is its control);
  hard_calcified   the hard set's couch, streaks, layer and noise on the calcified scans: the
                   hardest proxy for a real planning CT this bench builds;
  markers          seeds 9601-9610 as men (`--sex male`) with `--variety --markers`: three or
                   four gold fiducial markers in the prostate, clipped at 3071 HU, with their
                   streaks (phantom.md, "Fiducial markers"); no training image held one;
  markers_free     the same men without the markers: what the markers alone cost;
  clinical         seeds 9201-9205 as a planning CT shows them: `--size large` (461 mm field of
                   view: air around the whole patient, the thighs apart, 400 mm of the body) and
                   `--couch` (phantom.md, "Couch");
  clinical_arms    the clinical seeds with `--arms`: both forearms beside the hips and thighs,
                   body in the labels (phantom.md, "Arms");
  clinical_hard    the clinical scans with the hard set's streaks, bladder contrast layer and
                   noise (their own couch, not the hard set's);
  small_bladder    seeds 9401-9405, the training protocol with a nearly empty bladder (target 35-95 ml,
                   `--fixed-bladder-ml`; the scans hold 39-103 ml), as after voiding or in a rectal patient's planning CT;
                   the cohorts before 2026-12-04 held 100-450 ml only;
  metal            seeds 9501-9510 with `--metal`: one or both hips replaced by a prosthesis,
                   with the beam-hardening and photon-starvation streaks it casts (phantom.md,
                   "Metal"); the training protocol otherwise;
  metal_free       the same seeds without `--metal`: what the metal alone costs;
  real_other       real abdominal CT (../shared/data/real_ct, no pelvis): a scan of another body
                   region, where every pelvic organ must be flagged or not found.
Per model and scan: `modir segment predict` (with QC), Dice per organ by `modir evaluate`,
inference wall time and peak memory. The summary gives mean and worst Dice per organ and set,
the QC ranking (Spearman rho between confidence and true Dice over every organ of every scan)
and how many organs with true Dice < 0.7 QC flagged.

Needs numpy and nibabel (Debian python3-numpy, python3-nibabel) for the hard set.
"""
import argparse
import json
import math
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE.parent / "peers"))
sys.dont_write_bytecode = True

import run_peers  # noqa: E402  (process measurement)

SETS = ("in_distribution", "variety", "hard", "calcified", "hard_calcified", "markers",
        "markers_free", "clinical",
        "clinical_arms", "clinical_hard", "small_bladder", "metal", "metal_free", "real_other")
TEST_SEEDS = {"in_distribution": range(9001, 9011), "variety": range(9101, 9111),
              "hard": range(9101, 9111), "calcified": range(9101, 9111),
              "hard_calcified": range(9101, 9111), "markers": range(9601, 9611),
              "markers_free": range(9601, 9611), "clinical": range(9201, 9206),
              "clinical_hard": range(9201, 9206), "clinical_arms": range(9201, 9206),
              "small_bladder": range(9401, 9406),
              "metal": range(9501, 9511), "metal_free": range(9501, 9511)}
# Used while choosing QC's thresholds and the patient outline's settings; never reported as
# results.
DEVELOPMENT_SEEDS = {"in_distribution": range(9051, 9056), "variety": range(9151, 9156),
                     "hard": range(9151, 9156), "calcified": range(9151, 9156),
                     "hard_calcified": range(9151, 9156), "markers": range(9651, 9654),
                     "markers_free": range(9651, 9654), "clinical": range(9251, 9253),
                     "clinical_hard": range(9251, 9253), "clinical_arms": range(9251, 9253),
                     "small_bladder": range(9451, 9453),
                     "metal": range(9551, 9554), "metal_free": range(9551, 9554)}
SEEDS = TEST_SEEDS
ORGANS = ("body", "bone", "bladder", "rectum", "bowel", "uterus_prostate", "femoral_heads")
GENERATOR = None  # the modir that generates the phantom cases (--generator), default --modir
REAL_CT = REPO.parent / "shared" / "data" / "real_ct" / "totalsegmentator_example" / "example_ct.nii.gz"
TARGETS_UNSEEN = {"bladder": 0.90, "rectum": 0.80, "bone": 0.92, "uterus_prostate": 0.75}


def small_bladder_ml(seed):
    """35, 50, 65, 80 or 95 ml, by seed."""
    return 35 + 15 * (seed % 5)


def phantom_case(modir, work, seed, variety, clinical=False, small_bladder=False, metal=False,
                 arms=False, calcifications=False, markers=None):
    """markers: None, or True / False for a man's scan with or without gold markers."""
    kind = ("clinical_arms" if arms else "clinical") if clinical else "variety" if variety else \
        "small_bladder" if small_bladder else "metal" if metal else "plain"
    kind += "_calcified" if calcifications else ""
    kind += "" if markers is None else "_man_markers" if markers else "_man"
    d = work / "cases" / f"{kind}_{seed}"
    if not (d / "fixed_labels.nii.gz").exists():
        cmd = [modir, "phantom", "--seed", seed, "--size", "large" if clinical else "medium",
               "--deformation", "none", "--out", d, "--quiet"] + (["--variety"] if variety else []) \
            + (["--couch"] if clinical else []) \
            + (["--fixed-bladder-ml", small_bladder_ml(seed)] if small_bladder else []) \
            + (["--metal"] if metal else []) + (["--arms"] if arms else []) \
            + (["--calcifications"] if calcifications else []) \
            + ([] if markers is None else ["--sex", "male"]) + (["--markers"] if markers else [])
        run_peers.checked(run_peers.measure(cmd, work / "logs" / f"{d.name}.log"), "phantom")
    return {"image": d / "fixed.nii.gz", "labels": d / "fixed_labels.nii.gz"}


def hard_case(work, seed, source, couch=True, name=None):
    """Couch, bone streaks, layered bladder contrast and more noise on a variety scan."""
    import nibabel as nib
    import numpy as np
    d = work / "cases" / f"{name or ('hard' if couch else 'clinical_hard')}_{seed}"
    out = {"image": d / "image.nii.gz", "labels": source["labels"]}
    if out["image"].exists():
        return out
    d.mkdir(parents=True, exist_ok=True)
    img = nib.load(str(source["image"]))
    hu = np.asarray(img.dataobj, dtype=np.float32).copy()
    lab = np.asarray(nib.load(str(source["labels"])).dataobj).astype(np.int32)
    rng = np.random.default_rng(seed)
    nx, ny, nz = hu.shape
    sx, sy, _ = img.header.get_zooms()[:3]
    # Bladder contrast layer: the posterior (dependent, +y in LPS) part of the bladder at 300 HU.
    bladder = lab == 3
    if bladder.any():
        ys = np.nonzero(bladder)[1]
        level = np.percentile(ys, rng.uniform(40, 70))
        yy = np.arange(ny)[None, :, None]
        hu[bladder & (yy > level)] = 300 + rng.normal(0, 15, size=int((bladder & (yy > level)).sum()))
    # Couch: a curved carbon plate (-300..0 HU shell, 3 cm thick) below the body (posterior).
    body_y = np.nonzero(lab > 0)[1]
    back = body_y.max() if body_y.size else ny - 10
    xs = (np.arange(nx) - nx / 2) * sx
    for x in range(nx if couch else 0):
        top = back + 2 + int(round((xs[x] ** 2) / 4000.0 / sy))
        thick = int(round(30 / sy))
        if top < ny:
            hu[x, top:min(ny, top + 3), :] = 100.0
            hu[x, min(ny, top + 3):min(ny, top + thick), :] = -300.0
    # Streaks: bright and dark lines through the femoral heads' centre in each slice.
    femur = lab == 7
    for z in range(nz):
        pts = np.argwhere(femur[:, :, z])
        if len(pts) < 20:
            continue
        cx, cy = pts.mean(axis=0)
        X, Y = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
        angle = np.arctan2(Y - cy, X - cx)
        hu[:, :, z] += 60 * np.cos(12 * angle) * np.exp(-np.hypot(X - cx, Y - cy) * sx / 150)
    hu += rng.normal(0, 20, size=hu.shape).astype(np.float32)
    new = nib.Nifti1Image(hu.astype(np.float32), img.affine)
    new.header.set_qform(img.affine, code=1)
    new.header.set_sform(img.affine, code=1)
    nib.save(new, str(out["image"]))
    return out


def cases_of(set_name, modir, work):
    if set_name == "real_other":
        return [("real_abdomen", {"image": REAL_CT, "labels": None})]
    out = []
    for seed in SEEDS[set_name]:
        clinical = set_name.startswith("clinical")
        c = phantom_case(GENERATOR or modir, work, seed,
                         variety=set_name in ("variety", "hard", "calcified", "hard_calcified",
                                              "markers", "markers_free"),
                         clinical=clinical, small_bladder=set_name == "small_bladder",
                         metal=set_name == "metal", arms=set_name == "clinical_arms",
                         calcifications=set_name in ("calcified", "hard_calcified"),
                         markers={"markers": True, "markers_free": False}.get(set_name))
        if set_name == "hard":
            c = hard_case(work, seed, c)
        if set_name == "hard_calcified":
            c = hard_case(work, seed, c, name="hard_calcified")
        if set_name == "clinical_hard":
            c = hard_case(work, seed, c, couch=False)
        out.append((f"{set_name}_{seed}", c))
    return out


def predict_and_score(modir, model, name, case, run_dir, threads, extra=()):
    run_dir.mkdir(parents=True, exist_ok=True)
    pred = run_dir / "pred.nii.gz"
    cmd = [modir, "segment", "predict", "--image", case["image"], "--out", pred,
           "--threads", threads, "--quiet"] + (["--model", model] if model else []) + list(extra)
    run = run_peers.checked(run_peers.measure(cmd, run_dir / "predict.log"), f"predict {name}")
    qc = json.loads((run_dir / "pred.qc.json").read_text())
    row = {"case": name, "wall_s": run["wall_s"], "peak_rss_mib": run["peak_rss_mib"],
           "qc_s": qc["seconds_test_time_augmentation"], "organs": {}}
    dice = {}
    if case["labels"]:
        js = run_dir / "evaluate.json"
        run_peers.checked(run_peers.measure(
            [modir, "evaluate", "--fixed-labels", case["labels"], "--warped-labels", pred,
             "--json", js, "--quiet"], run_dir / "evaluate.log"), "evaluate")
        for r in json.loads(js.read_text())["labels"]:
            dice[r["name"]] = r["dice"]
    for organ, q in qc["organs"].items():
        row["organs"][organ] = {"dice": dice.get(organ), "confidence": q["confidence"],
                                "flagged": q["verdict"] != "reliable", "reasons": q["reasons"]}
    return row


def spearman(xs, ys):
    def ranks(v):
        order = sorted(range(len(v)), key=lambda i: v[i])
        r = [0.0] * len(v)
        i = 0
        while i < len(order):
            j = i
            while j + 1 < len(order) and v[order[j + 1]] == v[order[i]]:
                j += 1
            for k in range(i, j + 1):
                r[order[k]] = (i + j) / 2.0
            i = j + 1
        return r
    rx, ry = ranks(xs), ranks(ys)
    mx, my = statistics.mean(rx), statistics.mean(ry)
    num = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    den = math.sqrt(sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry))
    return num / den if den else float("nan")


def summarise(results):
    lines = []
    for model, sets in results.items():
        lines.append(f"\n## model {model}\n")
        lines.append("| set | scans | " + " | ".join(ORGANS) + " | predict s (mean / max) | QC s | MiB max |")
        lines.append("|---|---|" + "---|" * len(ORGANS) + "---|---|---|")
        for set_name, rows in sets.items():
            cells = []
            for organ in ORGANS:
                ds = [r["organs"][organ]["dice"] for r in rows
                      if organ in r["organs"] and r["organs"][organ]["dice"] is not None]
                cells.append(f"{statistics.mean(ds):.3f} / {min(ds):.3f}" if ds else "-")
            walls = [r["wall_s"] for r in rows]
            lines.append(f"| {set_name} | {len(rows)} | " + " | ".join(cells) +
                         f" | {statistics.mean(walls):.1f} / {max(walls):.1f} | "
                         f"{statistics.mean(r['qc_s'] for r in rows):.1f} | "
                         f"{max(r['peak_rss_mib'] for r in rows):.0f} |")
        # QC: every organ of every scan with a truth.
        conf, dice, missed, low, false_flags, good = [], [], [], 0, 0, 0
        for set_name, rows in sets.items():
            for r in rows:
                for organ, o in r["organs"].items():
                    if o["dice"] is None:
                        continue
                    c = o["confidence"] if o["confidence"] is not None else 0.0
                    conf.append(c)
                    dice.append(o["dice"])
                    if o["dice"] < 0.7:
                        low += 1
                        if not o["flagged"]:
                            missed.append(f"{r['case']} {organ} (Dice {o['dice']:.2f})")
                    elif o["dice"] >= 0.9:
                        good += 1
                        false_flags += o["flagged"]
        other = [r for s, rows in sets.items() if s == "real_other" for r in rows]
        lines.append(f"\nQC over {len(conf)} organ predictions: Spearman rho(confidence, Dice) = "
                     f"{spearman(conf, dice):.3f}; Dice < 0.7: {low}, flagged {low - len(missed)}"
                     f"{' (missed: ' + '; '.join(missed) + ')' if missed else ''}; "
                     f"Dice >= 0.9 flagged anyway: {false_flags} of {good}")
        for r in other:
            flagged = [o for o, v in r["organs"].items() if v["flagged"]]
            lines.append(f"{r['case']} (another body region): flagged {len(flagged)} of "
                         f"{len(r['organs'])}: {', '.join(flagged)}")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--modir", default=None)
    ap.add_argument("--generator", default=None,
                    help="modir binary that generates the phantom cases (default: --modir); "
                         "lets an older modir be measured on cases only a newer one can make")
    ap.add_argument("--models", default="shipped=",
                    help="name=folder,... (an empty folder: the shipped model)")
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--predict-option", action="append", default=[],
                    help="passed to every `segment predict` (repeatable), e.g. "
                         "--predict-option=--no-body-outline for the behaviour before the outline")
    ap.add_argument("--threads", default="2")
    ap.add_argument("--seeds", default="test", choices=("test", "development"))
    ap.add_argument("--work", default=str(REPO / "out" / "segmentation"))
    args = ap.parse_args()
    modir = run_peers.find_modir(args.modir)
    global SEEDS, GENERATOR
    GENERATOR = run_peers.find_modir(args.generator) if args.generator else None
    SEEDS = TEST_SEEDS if args.seeds == "test" else DEVELOPMENT_SEEDS
    work = Path(args.work).resolve()
    results = {}
    for item in args.models.split(","):
        name, _, folder = item.partition("=")
        model = str(Path(folder).resolve()) if folder else None
        results[name] = {}
        for set_name in args.sets.split(","):
            rows = []
            for case_name, case in cases_of(set_name, modir, work):
                rows.append(predict_and_score(modir, model, case_name, case,
                                              work / "runs" / name / case_name, args.threads,
                                              args.predict_option))
                print(f"{name} {case_name}: " + ", ".join(
                    f"{o} {v['dice']:.3f}{'*' if v['flagged'] else ''}" if v["dice"] is not None
                    else f"{o} {'flagged' if v['flagged'] else 'ok'}"
                    for o, v in rows[-1]["organs"].items()), flush=True)
            results[name][set_name] = rows
    text = summarise(results)
    print(text)
    (work / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    (work / "results.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
