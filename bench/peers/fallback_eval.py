"""Pure-Python stand-in for `modir evaluate`, for development only.

run_peers.py uses `modir evaluate` for every number it reports. Only when that command is missing
(it is being written) and `--fallback-eval` is given does it call this module, and every result
it produces is marked `"evaluator": "fallback"` in results.json and in the table.

Computes, with the conventions of docs/conventions.md:
- Dice per label value (warped labels against fixed labels, same grid);
- TRE: |x + u(x) - y| over landmark pairs paired by id, u trilinearly interpolated (mm);
- Jacobian determinant of x -> x + u(x) by central differences at interior voxels; folded
  fraction = share of those voxels with det <= 0 (and the minimum det).
"""
import csv
import math

import nifti


def read_landmarks(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return {r["id"]: (float(r["x"]), float(r["y"]), float(r["z"])) for r in rows}


def dice(fixed_labels, warped_labels, labels):
    if not fixed_labels.same_grid(warped_labels):
        raise ValueError(f"{warped_labels.path} is not on the grid of {fixed_labels.path}")
    inter = {}
    nf = {}
    nw = {}
    for a, b in zip(fixed_labels.data, warped_labels.data):
        nf[a] = nf.get(a, 0) + 1
        nw[b] = nw.get(b, 0) + 1
        if a == b:
            inter[a] = inter.get(a, 0) + 1
    out = {}
    for value, name in labels.items():
        denom = nf.get(value, 0) + nw.get(value, 0)
        out[name] = 2.0 * inter.get(value, 0) / denom if denom else None
    return out


def percentile(values, q):
    s = sorted(values)
    if not s:
        return None
    pos = (len(s) - 1) * q / 100.0
    lo = int(math.floor(pos))
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def tre(field, fixed_points, moving_points):
    errors = []
    for pid, p in fixed_points.items():
        if pid not in moving_points:
            raise ValueError(f"landmark {pid} has no moving partner")
        u = field.sample_vector(p)
        if u is None:
            continue
        q = moving_points[pid]
        errors.append(math.sqrt(sum((p[a] + u[a] - q[a]) ** 2 for a in range(3))))
    if not errors:
        return {"count": 0}
    return {"count": len(errors), "mean_mm": sum(errors) / len(errors),
            "p95_mm": percentile(errors, 95), "max_mm": max(errors)}


def initial_tre(fixed_points, moving_points):
    errors = [math.dist(p, moving_points[k]) for k, p in fixed_points.items()]
    return {"count": len(errors), "mean_mm": sum(errors) / len(errors), "p95_mm": percentile(errors, 95)}


def jacobian(field):
    """Folded fraction and min det over interior voxels (central differences, world mm)."""
    lin = field.linear
    if any(abs(lin[r][c]) > 1e-6 for r in range(3) for c in range(3) if r != c):
        raise ValueError("fallback Jacobian supports axis-aligned grids only")
    nx, ny, nz = field.size
    if min(nx, ny, nz) < 3:
        return {"folded_fraction": None}
    n = field.nvox
    d = field.data
    comp = [d[c * n:(c + 1) * n] for c in range(3)]
    inv2h = [1.0 / (2.0 * lin[a][a]) for a in range(3)]
    sx, sy, sz = 1, nx, nx * ny
    folded = 0
    total = 0
    jmin = float("inf")
    for k in range(1, nz - 1):
        for j in range(1, ny - 1):
            row = sx * 1 + sy * j + sz * k  # first interior voxel of the row
            end = row + nx - 2
            g = []
            for c in range(3):
                u = comp[c]
                dx = [(a - b) * inv2h[0] for a, b in zip(u[row + 1:end + 1], u[row - 1:end - 1])]
                dy = [(a - b) * inv2h[1] for a, b in zip(u[row + sy:end + sy], u[row - sy:end - sy])]
                dz = [(a - b) * inv2h[2] for a, b in zip(u[row + sz:end + sz], u[row - sz:end - sz])]
                g.append((dx, dy, dz))
            (a11, a12, a13), (a21, a22, a23), (a31, a32, a33) = g
            dets = [(1 + p11) * ((1 + p22) * (1 + p33) - p23 * p32)
                    - p12 * (p21 * (1 + p33) - p23 * p31)
                    + p13 * (p21 * p32 - (1 + p22) * p31)
                    for p11, p12, p13, p21, p22, p23, p31, p32, p33
                    in zip(a11, a12, a13, a21, a22, a23, a31, a32, a33)]
            folded += sum(1 for v in dets if v <= 0.0)
            total += len(dets)
            m = min(dets)
            if m < jmin:
                jmin = m
    return {"folded_fraction": folded / total if total else None, "jacobian_min": jmin}


def evaluate(fixed_labels_path, warped_labels_path, labels, field_path=None,
             fixed_landmarks=None, moving_landmarks=None):
    fl = nifti.read(fixed_labels_path)
    wl = nifti.read(warped_labels_path)
    out = {"evaluator": "fallback", "dice": dice(fl, wl, labels)}
    if field_path:
        field = nifti.read(field_path)
        if field.ncomp != 3:
            raise ValueError(f"{field_path}: expected a 3-component displacement field")
        if fixed_landmarks and moving_landmarks:
            out["tre"] = tre(field, read_landmarks(fixed_landmarks), read_landmarks(moving_landmarks))
        out.update(jacobian(field))
    return out
