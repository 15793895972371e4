#!/usr/bin/env python3
"""modir against its peers (elastix, plastimatch) on synthetic phantom pairs.

For every case (size x deformation x seed) this script
  1. generates a pair with `modir phantom` (kept under WORK/cases and reused),
  2. runs each tool: modir (`modir register`), elastix (affine + B-spline, elastix_affine.txt and
     elastix_bspline.txt) and plastimatch (translation + affine + B-spline, plastimatch.parms),
     measuring wall time, CPU time and peak RSS of the registration process,
  3. converts each peer's output to modir's convention: a displacement field on the fixed grid,
     LPS mm, fixed point x -> moving point x + u(x) (WORK/runs/CASE/TOOL/displacement.nii.gz),
     and warps the moving labels with it (`modir warp --labels`; the peer's own nearest-neighbour
     warp when `modir warp` is not there yet),
  4. evaluates every tool with `modir evaluate` against the ground truth (fixed labels, landmark
     pairs; Jacobian of the field),
and prints one Markdown table (also WORK/results.md) with ratios modir / peer, and writes
WORK/results.json.

`--verify-conventions` checks, with a known translation, that each peer's exported field is in
modir's convention after the conversion this script applies (see README.md).

Python 3 standard library only. Run one registration at a time (2-core machine).
"""
import argparse
import json
import math
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # no __pycache__ in bench/peers

import nifti  # noqa: E402

LABELS = {1: "body", 2: "bone", 3: "bladder", 4: "rectum", 5: "bowel", 6: "uterus_prostate",
          7: "femoral_heads"}
SHORT = {"body": "body", "bone": "bone", "bladder": "bladder", "rectum": "rectum", "bowel": "bowel",
         "uterus_prostate": "ut/pro", "femoral_heads": "fem"}
PEERS = ("elastix", "plastimatch")
ALL_TOOLS = ("modir",) + PEERS

# How each peer's exported field becomes modir's field: multipliers of the stored vector
# components (LPS x, y, z). (1, 1, 1): stored exactly in modir's convention (ITK writes NIfTI
# vectors with LPS components and both tools export x -> x + u(x), fixed -> moving).
# Verified by --verify-conventions; see README.md for the numbers.
FIELD_CONVERSION = {"elastix": (1.0, 1.0, 1.0), "plastimatch": (1.0, 1.0, 1.0)}

MODIR_CANDIDATES = ("build/release/apps/modir/modir", "build-peers/apps/modir/modir",
                    "build-eval/apps/modir/modir")


class ToolError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# processes
# ---------------------------------------------------------------------------------------------
def measure(cmd, log_path, env=None, timeout=None, cwd=None):
    """Runs cmd with stdout+stderr to log_path; returns rc, wall_s, cpu_s, peak_rss_mib, load_max.

    Peak RSS and CPU time come from wait4's rusage of the child itself (the registration
    process: elastix, transformix, plastimatch and modir do not fork workers). load_max is the
    highest 1-minute load average seen while it ran (the run itself adds about its thread count).
    """
    log_path = Path(log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    with open(log_path, "wb") as log:
        log.write(("$ " + " ".join(str(c) for c in cmd) + "\n").encode())
        log.flush()
        start = time.monotonic()
        proc = subprocess.Popen([str(c) for c in cmd], stdout=log, stderr=subprocess.STDOUT,
                                env=full_env, cwd=cwd)
        timed_out = False
        load_max = os.getloadavg()[0]
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                break
            load_max = max(load_max, os.getloadavg()[0])
            if timeout and time.monotonic() - start > timeout:
                proc.send_signal(signal.SIGKILL)
                timed_out = True
                pid, status, ru = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        wall = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {"rc": proc.returncode, "timed_out": timed_out, "wall_s": wall,
            "cpu_s": ru.ru_utime + ru.ru_stime, "peak_rss_mib": ru.ru_maxrss / 1024.0,
            "load_max": load_max, "log": str(log_path)}


def quiet_run(cmd, timeout=60):
    try:
        p = subprocess.run([str(c) for c in cmd], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout)
        return p.returncode, p.stdout.decode(errors="replace")
    except (OSError, subprocess.TimeoutExpired) as e:
        return -1, str(e)


def tail(path, n=8):
    try:
        lines = Path(path).read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join("    " + line for line in lines[-n:])


def checked(result, what):
    if result["rc"] != 0:
        why = "timed out" if result["timed_out"] else f"exit status {result['rc']}"
        raise ToolError(f"{what} failed ({why}); log {result['log']}:\n{tail(result['log'])}")
    return result


# ---------------------------------------------------------------------------------------------
# the modir binary and what it can do yet
# ---------------------------------------------------------------------------------------------
class Modir:
    def __init__(self, path, evaluator=None):
        self.path = path
        self._caps = {}
        self.evaluator = evaluator  # binary used for evaluate and warp (may differ while built)

    def has(self, command, binary=None):
        binary = binary or self.path
        key = (binary, command)
        if key not in self._caps:
            rc, _ = quiet_run([binary, command, "--help"]) if binary else (-1, "")
            self._caps[key] = rc == 0
        return self._caps[key]

    def eval_binary(self, command):
        """The binary to use for `evaluate` / `warp`: --evaluator, else --modir, else a candidate."""
        for b in [self.evaluator, self.path] + [str(REPO / c) for c in MODIR_CANDIDATES]:
            if b and os.access(b, os.X_OK) and self.has(command, b):
                return b
        return None


def find_modir(arg):
    if arg:
        p = Path(arg)
        if not (os.access(p, os.X_OK) and p.is_file()):
            sys.exit(f"run_peers: --modir {arg} is not an executable file")
        return str(p.resolve())
    for c in MODIR_CANDIDATES:
        p = REPO / c
        if p.is_file() and os.access(p, os.X_OK):
            return str(p)
    sys.exit("run_peers: no modir binary found (looked for " + ", ".join(MODIR_CANDIDATES)
             + " under " + str(REPO) + "); build it (./scripts/build or cmake --preset release) "
             "or pass --modir PATH")


def tool_version(cmd):
    rc, out = quiet_run(cmd)
    return out.strip().splitlines()[0] if rc == 0 and out.strip() else None


# ---------------------------------------------------------------------------------------------
# cases
# ---------------------------------------------------------------------------------------------
def case_paths(d):
    d = Path(d)
    return {"dir": str(d), "fixed": str(d / "fixed.nii.gz"), "moving": str(d / "moving.nii.gz"),
            "fixed_labels": str(d / "fixed_labels.nii.gz"),
            "moving_labels": str(d / "moving_labels.nii.gz"),
            "fixed_landmarks": str(d / "fixed_landmarks.csv"),
            "moving_landmarks": str(d / "moving_landmarks.csv"),
            "gt": str(d / "gt_displacement.nii.gz"), "meta": str(d / "meta.json")}


def make_case(modir, work, size, deformation, seed):
    name = f"{size}_{deformation}_s{seed}"
    d = Path(work) / "cases" / name
    paths = case_paths(d)
    if not all(Path(paths[k]).is_file() for k in ("fixed", "moving", "fixed_labels",
                                                   "moving_labels", "fixed_landmarks",
                                                   "moving_landmarks", "meta")):
        d.mkdir(parents=True, exist_ok=True)
        r = measure([modir.path, "phantom", "--quiet", "--seed", seed, "--size", size,
                     "--deformation", deformation, "--out", d], d / "phantom.log")
        checked(r, f"modir phantom --seed {seed} --size {size} --deformation {deformation}")
    paths["name"] = name
    paths.update(size=size, deformation=deformation, seed=int(seed))
    paths.update(split_landmarks(d))
    return paths


def split_landmarks(d):
    """Writes every other landmark pair (1st, 3rd, ...) as guidance and the rest as held out.

    A guided registration pulls its guiding points together by construction, so TRE on them says
    little; with --guided every tool is scored on the held-out half only, the same points for all.
    """
    import csv
    out = {}
    for side in ("fixed", "moving"):
        with open(d / f"{side}_landmarks.csv", newline="") as f:
            rows = list(csv.DictReader(f))
        for part, chosen in (("guide", rows[0::2]), ("heldout", rows[1::2])):
            path = d / f"{side}_landmarks_{part}.csv"
            with open(path, "w") as f:
                f.write("id,x,y,z\n")
                for r in chosen:
                    f.write(f"{r['id']},{r['x']},{r['y']},{r['z']}\n")
            out[f"{side}_landmarks_{part}"] = str(path)
    return out


def scored_landmarks(case, args):
    """The landmark files TRE is measured on: all of them, or the held-out half with --guided."""
    if args.guided:
        return case["fixed_landmarks_heldout"], case["moving_landmarks_heldout"]
    return case["fixed_landmarks"], case["moving_landmarks"]


def read_landmarks(path):
    import csv
    with open(path, newline="") as f:
        return {r["id"]: (float(r["x"]), float(r["y"]), float(r["z"])) for r in csv.DictReader(f)}


def percentile(values, q):
    s = sorted(values)
    if not s:
        return None
    pos = (len(s) - 1) * q / 100.0
    lo = int(math.floor(pos))
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def initial_tre(case, args):
    """Landmark distances before registration (identity map): context for the TRE columns."""
    fixed_points, moving_points = scored_landmarks(case, args)
    f = read_landmarks(fixed_points)
    m = read_landmarks(moving_points)
    d = [math.dist(p, m[k]) for k, p in f.items() if k in m]
    return {"count": len(d), "mean_mm": sum(d) / len(d), "p95_mm": percentile(d, 95)} if d else None


# ---------------------------------------------------------------------------------------------
# field conversion and label warping
# ---------------------------------------------------------------------------------------------
def convert_field(tool, src, dst, fixed_path):
    """Writes the peer's field `src` as modir's displacement.nii.gz `dst` (fixed grid, LPS mm)."""
    field = nifti.read_header(src)
    fixed = nifti.read_header(fixed_path)
    if field.ncomp != 3:
        raise ToolError(f"{src}: expected a 3-component displacement field, got {field.ncomp}")
    if not field.same_grid(fixed):
        raise ToolError(f"{src}: the field is not on the fixed image grid ({field.size} vs {fixed.size})")
    mult = FIELD_CONVERSION[tool]
    if all(m == 1.0 for m in mult):
        if src.endswith(".nii.gz"):
            shutil.copyfile(src, dst)
        else:
            import gzip
            with open(src, "rb") as fi, gzip.open(dst, "wb", compresslevel=1) as fo:
                shutil.copyfileobj(fi, fo)
        return
    vol = nifti.read(src)
    n = vol.nvox
    data = vol.data
    for c in range(3):
        if mult[c] != 1.0:
            data[c * n:(c + 1) * n] = type(data)(data.typecode, (v * mult[c] for v in data[c * n:(c + 1) * n]))
    nifti.write_vector_like(src, dst, data)


def truth_reference(modir, case, work, args):
    """The phantom's true field scored like every tool: the Dice a perfect registration gets.

    The label maps are drawn on each scan's own grid, so the true field does not reach Dice 1
    (partial volumes at every boundary, and fixed voxels whose counterpart lies outside the moving
    scan's range warp to background). A tool's Dice above this row is boundary fitting, not a
    better field."""
    warp_bin = modir.eval_binary("warp")
    if not warp_bin or not modir.eval_binary("evaluate") or not Path(case.get("gt", "")).is_file():
        return None
    run_dir = work / "runs" / case["name"] / "true_field"
    run_dir.mkdir(parents=True, exist_ok=True)
    warped = run_dir / "warped_labels.nii.gz"
    warp_labels_modir(warp_bin, case, case["gt"], warped, run_dir / "warp_labels.log", args.threads)
    return evaluate(modir, case, {"warped_labels": str(warped), "displacement": case["gt"]},
                    run_dir, args)


def warp_labels_modir(modir_bin, case, field, out, log, threads):
    r = measure([modir_bin, "warp", "--moving", case["moving_labels"], "--displacement", field,
                 "--out", out, "--labels", "--threads", threads], log)
    checked(r, "modir warp --labels")


# ---------------------------------------------------------------------------------------------
# the tools
# ---------------------------------------------------------------------------------------------
def run_modir(modir, case, run_dir, args):
    if not modir.has("register"):
        raise ToolError(f"`{modir.path} register` does not exist yet (it is being written); "
                        "skipping modir. Use --peers-only, or rebuild modir once it has landed.")
    cmd = [modir.path, "register", "--fixed", case["fixed"], "--moving", case["moving"],
           "--out", run_dir, "--threads", args.threads]
    if args.guided:
        cmd += ["--fixed-labels", case["fixed_labels"], "--moving-labels", case["moving_labels"],
                "--fixed-landmarks", case["fixed_landmarks_guide"],
                "--moving-landmarks", case["moving_landmarks_guide"]]
    if args.modir_config:
        cmd += ["--config", str(Path(args.modir_config).resolve())]
    reg = checked(measure(cmd, run_dir / "register.log", timeout=args.timeout), "modir register")
    out = {"registration": reg, "displacement": str(run_dir / "displacement.nii.gz"),
           "warped": str(run_dir / "warped.nii.gz")}
    if not Path(out["displacement"]).is_file():
        raise ToolError(f"modir register did not write {out['displacement']}")
    # modir register writes warped_labels.nii.gz only when given the moving labels (guided runs);
    # every tool's labels are warped the same way, by `modir warp --labels` on its field.
    out["warped_labels"] = str(run_dir / "eval_warped_labels.nii.gz")
    warp_bin = modir.eval_binary("warp")
    if warp_bin:
        warp_labels_modir(warp_bin, case, out["displacement"], out["warped_labels"],
                          run_dir / "warp_labels.log", args.threads)
        out["label_warp"] = "modir warp --labels"
    elif (run_dir / "warped_labels.nii.gz").is_file():
        out["warped_labels"] = str(run_dir / "warped_labels.nii.gz")
        out["label_warp"] = "modir register (guided)"
    else:
        raise ToolError("no way to warp modir's labels: `modir warp` is missing and modir register "
                        "wrote no warped_labels.nii.gz")
    return out


def elastix_label_parameters(tp_in, tp_out):
    """TransformParameters for warping a label map: nearest neighbour, background 0, uint16."""
    lines = []
    for line in Path(tp_in).read_text().splitlines():
        key = line.strip()[1:].split(" ")[0] if line.strip().startswith("(") else ""
        if key == "FinalBSplineInterpolationOrder":
            line = "(FinalBSplineInterpolationOrder 0)"
        elif key == "DefaultPixelValue":
            line = "(DefaultPixelValue 0)"
        elif key == "ResultImagePixelType":
            line = '(ResultImagePixelType "unsigned short")'
        elif key == "ResultImageFormat":
            line = '(ResultImageFormat "nii.gz")'
        lines.append(line)
    Path(tp_out).write_text("\n".join(lines) + "\n")


def elastix_command(case, ex_dir, args):
    """elastix affine + B-spline with the bounded parameter files, writing into ex_dir."""
    return ["elastix", "-f", case["fixed"], "-m", case["moving"],
            "-p", HERE / "elastix_affine.txt", "-p", HERE / "elastix_bspline.txt",
            "-out", ex_dir, "-threads", args.threads]


def run_elastix(modir, case, run_dir, args):
    ex_dir = run_dir / "elastix"
    ex_dir.mkdir(parents=True, exist_ok=True)
    reg = checked(measure(elastix_command(case, ex_dir, args), run_dir / "elastix.log",
                          timeout=args.timeout), "elastix")
    tp = ex_dir / "TransformParameters.1.txt"
    def_dir = run_dir / "transformix_def"
    def_dir.mkdir(exist_ok=True)
    export = checked(measure(["transformix", "-def", "all", "-tp", tp, "-out", def_dir,
                              "-threads", args.threads], run_dir / "transformix_def.log",
                             timeout=args.timeout), "transformix -def all")
    src = next((str(def_dir / n) for n in ("deformationField.nii.gz", "deformationField.nii")
                if (def_dir / n).is_file()), None)
    if src is None:
        raise ToolError(f"transformix wrote no deformationField.nii(.gz) in {def_dir}")
    out = {"registration": reg, "export": export, "displacement": str(run_dir / "displacement.nii.gz"),
           "warped": str(ex_dir / "result.1.nii.gz")}
    convert_field("elastix", src, out["displacement"], case["fixed"])
    out["warped_labels"] = str(run_dir / "warped_labels.nii.gz")
    warp_bin = modir.eval_binary("warp") if args.label_warp != "native" else None
    if warp_bin:
        warp_labels_modir(warp_bin, case, out["displacement"], out["warped_labels"],
                          run_dir / "warp_labels.log", args.threads)
        out["label_warp"] = "modir warp --labels"
    else:
        if args.label_warp == "modir":
            raise ToolError("--label-warp modir: `modir warp` is not available")
        lab_dir = run_dir / "transformix_labels"
        lab_dir.mkdir(exist_ok=True)
        tp_lab = ex_dir / "TransformParameters.1.labels.txt"
        elastix_label_parameters(tp, tp_lab)
        checked(measure(["transformix", "-in", case["moving_labels"], "-tp", tp_lab, "-out", lab_dir,
                         "-threads", args.threads], run_dir / "transformix_labels.log"),
                "transformix (labels)")
        shutil.copyfile(lab_dir / "result.nii.gz", out["warped_labels"])
        out["label_warp"] = "transformix, FinalBSplineInterpolationOrder 0"
    return out


def plastimatch_command_file(case, run_dir, dst):
    text = (HERE / "plastimatch.parms").read_text()
    spacing = nifti.read_header(case["fixed"]).spacing

    def factors(match):
        mm = [float(v) for v in match.group(1).split()]
        return " ".join(str(max(1, int(round(mm[a] / spacing[a])))) for a in range(3))

    import re
    text = re.sub(r"@MM:([0-9. ]+)@", factors, text)
    for token, value in (("@FIXED@", case["fixed"]), ("@MOVING@", case["moving"]),
                         ("@IMG_OUT@", run_dir / "plastimatch_warped.nii.gz"),
                         ("@VF_OUT@", run_dir / "plastimatch_vf.nii.gz"),
                         ("@XF_OUT@", run_dir / "plastimatch_bspline.txt"),
                         ("@LOG@", run_dir / "plastimatch_internal.log")):
        text = text.replace(token, str(value))
    if "@" in "".join(line for line in text.splitlines() if not line.lstrip().startswith("#")):
        raise ToolError("plastimatch.parms has an unknown @TOKEN@")
    Path(dst).write_text(text)


def run_plastimatch(modir, case, run_dir, args):
    parms = run_dir / "plastimatch.parms"
    plastimatch_command_file(case, run_dir, parms)
    reg = checked(measure(["plastimatch", "register", parms], run_dir / "plastimatch.log",
                          env={"OMP_NUM_THREADS": str(args.threads)}, timeout=args.timeout),
                  "plastimatch register")
    vf = run_dir / "plastimatch_vf.nii.gz"
    if not vf.is_file():
        raise ToolError(f"plastimatch wrote no {vf}")
    out = {"registration": reg, "displacement": str(run_dir / "displacement.nii.gz"),
           "warped": str(run_dir / "plastimatch_warped.nii.gz")}
    convert_field("plastimatch", str(vf), out["displacement"], case["fixed"])
    out["warped_labels"] = str(run_dir / "warped_labels.nii.gz")
    warp_bin = modir.eval_binary("warp") if args.label_warp != "native" else None
    if warp_bin:
        warp_labels_modir(warp_bin, case, out["displacement"], out["warped_labels"],
                          run_dir / "warp_labels.log", args.threads)
        out["label_warp"] = "modir warp --labels"
    else:
        if args.label_warp == "modir":
            raise ToolError("--label-warp modir: `modir warp` is not available")
        checked(measure(["plastimatch", "warp", "--input", case["moving_labels"], "--xf", vf,
                         "--fixed", case["fixed"], "--output-img", out["warped_labels"],
                         "--interpolation", "nn"], run_dir / "plastimatch_warp_labels.log",
                        env={"OMP_NUM_THREADS": str(args.threads)}),
                "plastimatch warp (labels)")
        out["label_warp"] = "plastimatch warp --interpolation nn"
    return out


RUNNERS = {"modir": run_modir, "elastix": run_elastix, "plastimatch": run_plastimatch}


# ---------------------------------------------------------------------------------------------
# evaluation
# ---------------------------------------------------------------------------------------------
def _num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def extract_metrics(ev):
    """Dice per organ, TRE mean/p95 and folded fraction from `modir evaluate --json` output.

    The schema (as of the first `modir evaluate`): {"labels": [{"name", "value", "dice", "hd95_mm",
    ...}], "landmarks": {"mean_mm", "p95_mm", "initial_mean_mm", ...}, "jacobian":
    {"folded_fraction", "min", ...}}. Returns (metrics, list of what was missing), so a schema
    change shows up as a warning instead of silently empty columns.
    """
    dice, hd95 = {}, {}
    for entry in ev.get("labels") or []:
        if not isinstance(entry, dict):
            continue
        name = entry.get("name") or LABELS.get(entry.get("value"))
        if name is None:
            continue
        if _num(entry.get("dice")):
            dice[name] = float(entry["dice"])
        if _num(entry.get("hd95_mm")):
            hd95[name] = float(entry["hd95_mm"])
    lm = ev.get("landmarks") or {}
    jac = ev.get("jacobian") or {}
    metrics = {"dice": dice, "hd95_mm": hd95,
               "tre_mean_mm": float(lm["mean_mm"]) if _num(lm.get("mean_mm")) else None,
               "tre_p95_mm": float(lm["p95_mm"]) if _num(lm.get("p95_mm")) else None,
               "tre_initial_mean_mm": lm.get("initial_mean_mm"),
               "landmarks_outside_field": lm.get("outside_field"),
               "folded_fraction": float(jac["folded_fraction"]) if _num(jac.get("folded_fraction")) else None,
               "jacobian_min": jac.get("min")}
    missing = [k for k, ok in (("labels[].dice", bool(dice)), ("landmarks.mean_mm", metrics["tre_mean_mm"] is not None),
                               ("landmarks.p95_mm", metrics["tre_p95_mm"] is not None),
                               ("jacobian.folded_fraction", metrics["folded_fraction"] is not None)) if not ok]
    return metrics, missing


def evaluate(modir, case, out, run_dir, args):
    ev_bin = modir.eval_binary("evaluate")
    fixed_points, moving_points = scored_landmarks(case, args)
    if ev_bin:
        js = run_dir / "evaluate.json"
        r = measure([ev_bin, "evaluate", "--fixed-labels", case["fixed_labels"],
                     "--warped-labels", out["warped_labels"], "--displacement", out["displacement"],
                     "--fixed-landmarks", fixed_points,
                     "--moving-landmarks", moving_points, "--json", js,
                     "--threads", args.threads]
                    + (["--labels-json", case["meta"]] if case.get("meta") and Path(case["meta"]).is_file() else []),
                    run_dir / "evaluate.log")
        checked(r, "modir evaluate")
        raw = json.loads(js.read_text())
        metrics, missing = extract_metrics(raw)
        metrics.update(evaluator=f"modir evaluate ({ev_bin})", raw=raw)
        if missing:
            metrics["warning"] = ("could not find " + ", ".join(missing) + f" in {js}; "
                                  "update extract_metrics() in run_peers.py")
            print(f"  warning: {metrics['warning']}")
        return metrics
    if not args.fallback_eval:
        raise ToolError("`modir evaluate` does not exist yet in any modir binary found (it is being "
                        "written); no accuracy numbers. Pass --evaluator PATH to a binary that has "
                        "it, or --fallback-eval for the development-only Python evaluator.")
    import fallback_eval
    fe = fallback_eval.evaluate(case["fixed_labels"], out["warped_labels"], LABELS, out["displacement"],
                                fixed_points, moving_points)
    return {"dice": fe["dice"], "tre_mean_mm": fe.get("tre", {}).get("mean_mm"),
            "tre_p95_mm": fe.get("tre", {}).get("p95_mm"), "folded_fraction": fe.get("folded_fraction"),
            "evaluator": "fallback (bench/peers/fallback_eval.py, development only)", "raw": fe}


# ---------------------------------------------------------------------------------------------
# the table
# ---------------------------------------------------------------------------------------------
def fmt(x, digits=2):
    if x is None:
        return "—"
    if isinstance(x, str):
        return x
    return f"{x:.{digits}f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def row_values(run):
    reg = run.get("registration") or {}
    m = run.get("metrics") or {}
    dice = m.get("dice") or {}
    ff = m.get("folded_fraction")
    return ([reg.get("wall_s"), reg.get("cpu_s"), reg.get("peak_rss_mib"), m.get("tre_mean_mm"),
             m.get("tre_p95_mm")] + [dice.get(n) for n in LABELS.values()]
            + [None if ff is None else 100.0 * ff])


def table(runs, cases, tools):
    head = (["case", "tool", "wall s", "CPU s", "peak RSS MiB", "TRE mean mm", "TRE p95 mm"]
            + [f"Dice {SHORT[n]}" for n in LABELS.values()] + ["folded %"])
    digits = [1, 1, 0, 2, 2] + [3] * len(LABELS) + [3]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for case in cases:
        by_tool = {r["tool"]: r for r in runs if r["case"] == case["name"]}
        init = case.get("initial_tre") or {}
        lines.append(f"| {case['name']} | (before registration) | | | | {fmt(init.get('mean_mm'))} | "
                     f"{fmt(init.get('p95_mm'))} |" + " |" * (len(LABELS) + 1))
        truth = case.get("true_field_metrics")
        if truth:
            vals = row_values({"metrics": truth})
            lines.append("| " + " | ".join([case["name"], "(true field)"]
                                           + [fmt(v, d) for v, d in zip(vals, digits)]) + " |")
        for tool in tools:
            r = by_tool.get(tool)
            if r is None:
                continue
            label = tool + (" (guided)" if tool == "modir" and r.get("guided") else "")
            if r["status"] != "ok":
                lines.append(f"| {case['name']} | {label} | {r['status']}: "
                             f"{(r.get('message') or '?').splitlines()[0][:90]} |" + " |" * (len(head) - 3))
                continue
            vals = row_values(r)
            if r.get("metrics_status", "ok") != "ok":
                vals = vals[:3] + [None] * (len(vals) - 3)
            lines.append("| " + " | ".join([case["name"], label] + [fmt(v, d) for v, d in zip(vals, digits)]) + " |")
        mod = by_tool.get("modir")
        if mod and mod["status"] == "ok":
            mv = row_values(mod)
            for peer in tools:
                pr = by_tool.get(peer)
                if peer == "modir" or not pr or pr["status"] != "ok":
                    continue
                pv = row_values(pr)
                lines.append("| " + " | ".join([case["name"], f"**modir / {peer}**"]
                                               + [fmt(ratio(a, b), 2) for a, b in zip(mv, pv)]) + " |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# benchmark driver
# ---------------------------------------------------------------------------------------------
def run_benchmark(args, modir, tools):
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    ev_bin = modir.eval_binary("evaluate")
    warp_bin = modir.eval_binary("warp")
    print(f"modir: {modir.path}")
    print(f"  register: {'yes' if modir.has('register') else 'not yet'}; evaluate: {ev_bin or 'not yet'}; "
          f"warp: {warp_bin or 'not yet'}")
    if not ev_bin:
        print("  `modir evaluate` is missing: " + ("using the development-only fallback evaluator"
              if args.fallback_eval else "accuracy columns stay empty (see --fallback-eval)"))
    results = {"started": time.strftime("%Y-%m-%d %H:%M:%S"), "machine": {
        "cores": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "versions": {"modir": tool_version([modir.path, "--version"]),
                     "elastix": tool_version(["elastix", "--version"]),
                     "plastimatch": tool_version(["plastimatch", "--version"])},
        "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "field_conversion": {k: list(v) for k, v in FIELD_CONVERSION.items()},
        "cases": [], "runs": []}
    for seed in args.seeds.split(","):
        for size in args.sizes.split(","):
            for deformation in args.deformations.split(","):
                case = make_case(modir, work, size, deformation, seed.strip())
                case["initial_tre"] = initial_tre(case, args)
                results["cases"].append(case)
                print(f"\ncase {case['name']}: TRE before registration "
                      f"{case['initial_tre']['mean_mm']:.2f} mm mean")
                try:
                    truth = truth_reference(modir, case, work, args)
                except (ToolError, ValueError, OSError) as e:
                    truth = None
                    print(f"  the true field could not be scored: {str(e).splitlines()[0]}")
                if truth:
                    case["true_field_metrics"] = {k: v for k, v in truth.items() if k != "raw"}
                    print("  true field: Dice " + ", ".join(
                        f"{SHORT[n]} {fmt(truth['dice'].get(n), 3)}" for n in LABELS.values()))
                for tool in tools:
                    run_dir = work / "runs" / case["name"] / (tool + ("_guided" if tool == "modir" and args.guided else ""))
                    run_json = run_dir / "run.json"
                    run = {"case": case["name"], "tool": tool, "guided": bool(args.guided and tool == "modir"),
                           "load_before": os.getloadavg()[0]}
                    print(f"  {tool:12s} ...", end="", flush=True)
                    try:
                        if args.reuse and run_json.is_file():
                            prev = json.loads(run_json.read_text())
                            out = prev["out"]
                            run["load_before"] = prev.get("load_before")
                            run["reused"] = True
                            print(" (reused)", end="")
                        else:
                            if run_dir.exists():
                                shutil.rmtree(run_dir)
                            run_dir.mkdir(parents=True, exist_ok=True)
                            out = RUNNERS[tool](modir, case, run_dir, args)
                            run_json.write_text(json.dumps({"out": out, "load_before": run["load_before"],
                                                            "load_after": os.getloadavg()[0]}, indent=1))
                        run.update(out)
                        run["status"] = "ok"
                        reg = out["registration"]
                        print(f" {reg['wall_s']:.1f} s wall, {reg['cpu_s']:.1f} s CPU, "
                              f"{reg['peak_rss_mib']:.0f} MiB", end="", flush=True)
                    except (ToolError, ValueError, OSError) as e:
                        run.update(status="failed" if tool != "modir" or modir.has("register") else "unavailable",
                                   message=str(e))
                        print(f" {run['status']}: {str(e).splitlines()[0]}")
                        results["runs"].append(run)
                        continue
                    try:
                        run["metrics"] = evaluate(modir, case, out, run_dir, args)
                        m = run["metrics"]
                        print(f"; TRE {fmt(m['tre_mean_mm'])} mm, Dice bladder {fmt(m['dice'].get('bladder'), 3)}")
                    except (ToolError, ValueError, OSError) as e:
                        run["metrics_status"] = "unavailable"
                        run["metrics_message"] = str(e)
                        print(f"; not evaluated: {str(e).splitlines()[0]}")
                    run["load_after"] = os.getloadavg()[0]
                    results["runs"].append(run)
                    (work / "results.json").write_text(json.dumps(results, indent=1))
    text = table(results["runs"], results["cases"], tools)
    notes = ["", f"Wall and CPU time, peak RSS: the registration process alone ({args.threads} threads); "
             "field export and label warping are in results.json.",
             "TRE: landmark pairs of the phantom; Dice: warped moving labels against fixed labels; "
             "folded %: voxels with Jacobian determinant <= 0.",
             "(true field): the phantom's exact displacement scored the same way; label maps are "
             "drawn on each scan's grid, so even it misses Dice 1, and a tool's Dice above it comes "
             "from fitting the voxelised boundaries, not from a truer field.",
             "Peers get no guidance; modir rows marked (guided) used labels and landmarks.",
             "Ratios: modir / peer per column (< 1 is better for modir in time, memory, TRE and folds; "
             "> 1 in Dice)."]
    evs = sorted({(r.get("metrics") or {}).get("evaluator", "") for r in results["runs"]} - {""})
    if evs:
        notes.append("Evaluator: " + "; ".join(evs) + ".")
    loads = [(r.get("registration") or {}).get("load_max") or r.get("load_before") or 0
             for r in results["runs"]]
    if loads and max(loads) > args.threads + 1:
        notes.append(f"Warning: other work shared the machine (1-minute load average up to {max(loads):.1f} "
                     f"during the runs on {os.cpu_count()} cores, of which about {args.threads} are the "
                     "run's own): wall times are inflated; compare CPU times.")
    text += "\n" + "\n".join(notes) + "\n"
    print("\n" + text)
    (work / "results.md").write_text(text)
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    results["table"] = text
    (work / "results.json").write_text(json.dumps(results, indent=1))
    print(f"wrote {work / 'results.json'} and {work / 'results.md'}")
    return 0


# ---------------------------------------------------------------------------------------------
# --verify-conventions
# ---------------------------------------------------------------------------------------------
def _median(values):
    s = sorted(values)
    return s[len(s) // 2] if s else None


def field_summary(path, mask_path):
    """Centre-voxel vector and per-component median over the mask (label > 0) of a field."""
    f = nifti.read(path)
    m = nifti.read(mask_path)
    nx, ny, nz = f.size
    centre = f.vector(nx // 2, ny // 2, nz // 2)
    n = f.nvox
    idx = [i for i, v in enumerate(m.data) if v > 0][::7]
    med = [_median([f.data[c * n + i] for i in idx]) for c in range(3)]
    return centre, med


def verify_conventions(args, modir, tools):
    """Translation test: moving = fixed with its origin moved by SHIFT (LPS mm).

    A fixed point x then shows the same anatomy as moving point x + SHIFT, so in modir's
    convention the recovered field is u(x) = SHIFT everywhere.
    """
    work = Path(args.work) / "verify"
    work.mkdir(parents=True, exist_ok=True)
    shift = tuple(float(v) for v in args.shift.split(","))
    ok = True

    # 0. The ground truth of a phantom pair obeys the convention (checks this script's reader).
    case = make_case(modir, Path(args.work), "small", "moderate", args.seeds.split(",")[0].strip())
    gt = nifti.read(case["gt"])
    fl, ml = read_landmarks(case["fixed_landmarks"]), read_landmarks(case["moving_landmarks"])
    errs = []
    for k, p in fl.items():
        u = gt.sample_vector(p)
        if u is not None:
            errs.append(math.dist([p[a] + u[a] for a in range(3)], ml[k]))
    gt_ok = errs and max(errs) < 0.01
    ok &= bool(gt_ok)
    print(f"phantom ground truth {case['name']}: |x + u(x) - y| over {len(errs)} landmark pairs: "
          f"max {max(errs):.2e} mm -> {'OK' if gt_ok else 'MISMATCH'} (u maps fixed to moving, LPS)")

    # 1. The translated pair.
    base = make_case(modir, Path(args.work), "small", "none", args.seeds.split(",")[0].strip())
    t = {"name": "translation", "dir": str(work)}
    t["fixed"], t["fixed_labels"] = base["fixed"], base["fixed_labels"]
    t["moving"] = str(work / "moving_shifted.nii.gz")
    t["moving_labels"] = str(work / "moving_labels_shifted.nii.gz")
    nifti.write_shifted(base["fixed"], t["moving"], shift)
    nifti.write_shifted(base["fixed_labels"], t["moving_labels"], shift)
    fixed_pts = read_landmarks(base["fixed_landmarks"])
    t["fixed_landmarks"] = base["fixed_landmarks"]
    t["moving_landmarks"] = str(work / "moving_landmarks_shifted.csv")
    with open(t["moving_landmarks"], "w") as f:
        f.write("id,x,y,z\n")
        for k, p in fixed_pts.items():
            f.write(f"{k},{p[0] + shift[0]!r},{p[1] + shift[1]!r},{p[2] + shift[2]!r}\n")
    print(f"translation test: moving = fixed of {base['name']} with origin + ({shift[0]}, {shift[1]}, "
          f"{shift[2]}) mm LPS; expected u(x) = that shift everywhere")
    hypotheses = {"modir convention (x -> x+u, LPS)": shift,
                  "RAS components (x, y negated)": (-shift[0], -shift[1], shift[2]),
                  "inverse direction (moving -> fixed)": (-shift[0], -shift[1], -shift[2]),
                  "inverse and RAS": (shift[0], shift[1], -shift[2])}
    rows = []
    import fallback_eval
    for tool in tools:
        run_dir = work / tool
        if run_dir.exists():
            shutil.rmtree(run_dir)
        run_dir.mkdir(parents=True)
        try:
            out = RUNNERS[tool](modir, t, run_dir, args)
        except ToolError as e:
            print(f"  {tool}: {str(e).splitlines()[0]}")
            if tool != "modir":
                ok = False
            continue
        centre, med = field_summary(out["displacement"], t["fixed_labels"])
        errs = {h: math.dist(med, v) for h, v in hypotheses.items()}
        best = min(errs, key=errs.get)
        good = best.startswith("modir") and errs[best] < 0.5 and math.dist(centre, shift) < 1.0
        dice = fallback_eval.dice(nifti.read(t["fixed_labels"]), nifti.read(out["warped_labels"]), LABELS)
        dmin = min(v for v in dice.values() if v is not None)
        good &= dmin > 0.9
        ok &= good
        conv = FIELD_CONVERSION.get(tool, (1, 1, 1))
        rows.append((tool, centre, med, best, errs[best], dmin, out.get("label_warp"), conv, good))
    print("\n| tool | conversion applied (x,y,z multipliers) | u at centre voxel (mm) | median u in body (mm) "
          "| closest hypothesis | distance mm | min Dice of warped labels | label warp | verdict |")
    print("|---|---|---|---|---|---|---|---|---|")
    for tool, centre, med, best, dist, dmin, lw, conv, good in rows:
        print(f"| {tool} | {tuple(conv)} | ({', '.join(f'{v:.2f}' for v in centre)}) | "
              f"({', '.join(f'{v:.2f}' for v in med)}) | {best} | {dist:.2f} | {dmin:.3f} | {lw} | "
              f"{'OK' if good else 'MISMATCH'} |")
    print(f"\nexpected u = ({shift[0]:.2f}, {shift[1]:.2f}, {shift[2]:.2f}) mm; "
          + ("all conventions verified" if ok else "CONVENTION CHECK FAILED"))
    return 0 if ok else 1


# ---------------------------------------------------------------------------------------------
def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--modir", help="modir binary (default: build/release/apps/modir/modir, "
                   "then build-peers/, build-eval/ under the repository)")
    p.add_argument("--evaluator", help="modir binary for `evaluate` and `warp` when --modir lacks them "
                   "(default: --modir, else the first candidate binary that has the command)")
    p.add_argument("--sizes", default="small,medium", help="phantom sizes, comma-separated (small,medium,large)")
    p.add_argument("--deformations", default="moderate,large", help="moderate,large (or none)")
    p.add_argument("--seeds", default="11", help="phantom seeds, comma-separated")
    p.add_argument("--threads", type=int, default=2, help="threads for every tool (default 2)")
    p.add_argument("--work", default=str(REPO / "out" / "peers"), help="work folder (default out/peers)")
    p.add_argument("--tools", default=",".join(ALL_TOOLS), help="modir,elastix,plastimatch")
    p.add_argument("--peers-only", action="store_true", help="run elastix and plastimatch only")
    p.add_argument("--guided", action="store_true",
                   help="give modir the labels and landmarks (peers never get guidance)")
    p.add_argument("--modir-config", help="JSON config passed to modir register --config")
    p.add_argument("--label-warp", choices=("auto", "modir", "native"), default="auto",
                   help="how peers' labels are warped: modir warp --labels (auto: when it exists) "
                   "or the peer's own nearest-neighbour warp")
    p.add_argument("--timeout", type=float, default=3600, help="seconds per registration (default 3600)")
    p.add_argument("--reuse", action="store_true",
                   help="reuse finished runs (WORK/runs/CASE/TOOL/run.json) and only re-evaluate and "
                   "re-tabulate; without it every run folder is cleared and run again")
    p.add_argument("--fallback-eval", action="store_true",
                   help="development only: when `modir evaluate` is missing, evaluate with "
                   "bench/peers/fallback_eval.py (marked as such in the output)")
    p.add_argument("--verify-conventions", action="store_true",
                   help="translation test of each tool's field convention, then exit")
    p.add_argument("--shift", default="7.3,-4.6,5.2", help="LPS mm shift of the translation test")
    args = p.parse_args()

    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    if args.peers_only:
        tools = [t for t in tools if t != "modir"]
    for t in tools:
        if t not in ALL_TOOLS:
            sys.exit(f"run_peers: unknown tool {t!r}; the tools are {', '.join(ALL_TOOLS)}")
    for t in tools:
        if t in PEERS:
            exe = "elastix" if t == "elastix" else "plastimatch"
            if not shutil.which(exe) or (t == "elastix" and not shutil.which("transformix")):
                sys.exit(f"run_peers: {exe} is not installed: apt-get install -y elastix plastimatch")
    if args.modir_config and not Path(args.modir_config).is_file():
        sys.exit(f"run_peers: --modir-config {args.modir_config} does not exist")
    args.work = str(Path(args.work).resolve())
    modir = Modir(find_modir(args.modir), args.evaluator)
    if not modir.has("phantom"):
        sys.exit(f"run_peers: {modir.path} has no `phantom` command")
    if args.verify_conventions:
        return verify_conventions(args, modir, tools)
    return run_benchmark(args, modir, tools)


if __name__ == "__main__":
    sys.exit(main())
