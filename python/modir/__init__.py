"""modir from Python: deformable registration of 3D medical scans, guided by organ labels and
landmarks, with a Pareto front of trade-offs.

Images are numpy arrays indexed [z, y, x] with their geometry (spacing, origin, direction) in the
ITK/DICOM LPS world frame, millimetres. A displacement field is an array [z, y, x, 3] on the fixed
image's grid: it maps a point x of the fixed image to x + u(x) in the moving image. Every call runs
the same C++ code as the `modir` command line; docs/python.md has a worked example.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Optional, Sequence, Tuple, Union

import numpy as np

# OpenMP threads that spin at barriers starve other programs on the same cores (two registrations
# side by side ran 3x slower), so modir waits passively, as the `modir` program does. libgomp
# reads the policy once, when the extension below loads it; a policy the user set is kept, and a
# libgomp some other module loaded earlier keeps what it read then.
if "OMP_WAIT_POLICY" not in os.environ and "GOMP_SPINCOUNT" not in os.environ:
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"

from . import _modir  # noqa: E402  (after the policy above)
from ._modir import DataError, Error, UsageError  # noqa: E402

__version__ = _modir.version
__all__ = [
    "Image", "Field", "Registration", "Phantom", "Error", "UsageError", "DataError",
    "read_image", "read_labels", "read_displacement", "read_landmarks", "write_image",
    "write_displacement", "register", "warp", "warp_points", "evaluate", "dice_by_label",
    "phantom", "segment", "segment_train", "dataset_check", "propagate",
]


class Image:
    """A 3D image: `array` [z, y, x] and where its voxels lie in LPS mm.

    spacing and origin are (x, y, z); direction[i][j] is world axis i of index axis j (ITK's
    convention), so world = origin + direction @ (spacing * (x, y, z)).
    """

    def __init__(self, array, spacing=(1.0, 1.0, 1.0), origin=(0.0, 0.0, 0.0), direction=None):
        self.array = np.asarray(array)
        self.spacing = tuple(float(v) for v in spacing)
        self.origin = tuple(float(v) for v in origin)
        self.direction = np.eye(3) if direction is None else np.asarray(direction, dtype=float)

    @property
    def geometry(self) -> dict:
        return {"spacing": self.spacing, "origin": self.origin,
                "direction": [tuple(row) for row in self.direction.tolist()]}

    @property
    def size(self) -> Tuple[int, int, int]:
        """Voxels along x, y, z (the array's shape reversed)."""
        z, y, x = self.array.shape[:3]
        return (x, y, z)

    def index_to_world(self, index) -> np.ndarray:
        """World LPS mm of voxel index (x, y, z) (or an [N, 3] array of them)."""
        index = np.asarray(index, dtype=float)
        return np.asarray(self.origin) + (index * np.asarray(self.spacing)) @ self.direction.T

    def same_grid(self, other: "Image", tolerance: float = 1e-4) -> bool:
        """Same size, and spacing, origin and direction equal within `tolerance` of a voxel."""
        if self.size != other.size:
            return False
        scale = tolerance * min(self.spacing)
        return (np.allclose(self.spacing, other.spacing, atol=scale)
                and np.allclose(self.origin, other.origin, atol=scale)
                and np.allclose(self.direction, other.direction, atol=tolerance))

    def _pair(self):
        return (self.array, self.geometry)

    @classmethod
    def _from_pair(cls, pair):
        array, geometry = pair
        return cls(array, geometry["spacing"], geometry["origin"], geometry["direction"])

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(size={self.size}, dtype={self.array.dtype}, "
                f"spacing={self.spacing}, origin={self.origin})")


class Field(Image):
    """A displacement field: `array` [z, y, x, 3] of LPS mm vectors u, x -> x + u(x)."""


Landmarks = Union[str, os.PathLike, np.ndarray, Tuple[Sequence[str], np.ndarray]]


@dataclass
class Registration:
    """What `register` returns. With `pareto`, displacement, warped and warped_labels are the knee
    solution's and `front` holds front.json (every solution's objectives and weights)."""
    displacement: Field
    warped: Image
    warped_labels: Optional[Image]
    report: dict
    front: Optional[dict] = None

    @property
    def jacobian(self) -> Optional[dict]:
        """Jacobian determinant statistics of a single run (min, max, folded_voxels, ...)."""
        return self.report.get("jacobian")


@dataclass
class Phantom:
    """A synthetic patient's two scans with exact ground truth (`modir phantom`)."""
    fixed: Image
    moving: Image
    fixed_labels: Image
    moving_labels: Image
    true_displacement: Field
    fixed_landmarks: Tuple[list, np.ndarray]
    moving_landmarks: Tuple[list, np.ndarray]
    meta: dict


def read_image(path, replace_nonfinite: Optional[float] = None) -> Image:
    """Reads a 3D image (NIfTI, MetaImage, NRRD, DICOM folder, .npy/.npz) in its stored voxel
    type. NaN or infinite voxels are an error unless `replace_nonfinite` gives a value for them."""
    return Image._from_pair(_modir.read_image(os.fspath(path), replace_nonfinite))


def read_labels(path) -> Image:
    """Reads a label map (uint16) by the same rule as every modir command: whole numbers, 0..65535."""
    return Image._from_pair(_modir.read_labels(os.fspath(path)))


def read_displacement(path) -> Field:
    """Reads a displacement field (3-component image or ITK .h5 displacement transform)."""
    return Field._from_pair(_modir.read_displacement(os.fspath(path)))


def read_landmarks(path) -> Tuple[list, np.ndarray]:
    """Reads a point file (modir CSV, elastix/transformix .txt, Slicer .fcsv, .json):
    (ids, [N, 3] LPS mm)."""
    return _modir.read_points(os.fspath(path))


def write_image(image: Image, path) -> None:
    """Writes an image atomically in its voxel type (format from the extension)."""
    _modir.write_image(image.array, image.geometry, os.fspath(path))


def write_displacement(field: Field, path) -> None:
    """Writes a displacement field as a float32 3-component image (or an ITK .h5 transform)."""
    _modir.write_displacement(field.array, field.geometry, os.fspath(path))


def _landmark_sets(fixed: Optional[Landmarks], moving: Optional[Landmarks], ids):
    """Both sides as (ids or None, [N, 3] array), which modir pairs by id as the command line
    pairs landmark files. Files and (ids, array) tuples carry their ids; bare arrays take
    `ids` (both the same), or none, and then pair row by row."""
    if fixed is None and moving is None:
        return None, None
    if fixed is None or moving is None:
        raise UsageError("landmark guidance needs both fixed_landmarks and moving_landmarks")

    def named(points):
        if isinstance(points, (str, os.PathLike)):
            return read_landmarks(points)
        if isinstance(points, tuple) and len(points) == 2:
            if ids is not None:
                raise UsageError("landmark_ids is for bare arrays; these landmarks carry ids")
            return list(points[0]), np.asarray(points[1], dtype=float)
        return (None if ids is None else [str(i) for i in ids]), np.asarray(points, dtype=float)

    return named(fixed), named(moving)


def _optional_pair(image: Optional[Image]):
    return None if image is None else image._pair()


def register(fixed: Image, moving: Image, *, fixed_labels: Optional[Image] = None,
             moving_labels: Optional[Image] = None, fixed_landmarks: Optional[Landmarks] = None,
             moving_landmarks: Optional[Landmarks] = None, landmark_ids=None,
             landmark_weights=None, fixed_mask: Optional[Image] = None,
             rigidity_mask: Optional[Image] = None, config: Optional[dict] = None,
             pareto: Optional[int] = None, out=None, threads: Optional[int] = None,
             verbose: bool = False) -> Registration:
    """Registers `moving` onto `fixed` as `modir register` does, with the same config keys
    (docs/registration.md) given as a dict. Labels guide organ by organ (same numbering in both
    maps); landmarks are [N, 3] arrays paired by row, (ids, array) tuples or point files paired by
    id. `pareto=N` computes a front of N trade-offs. `out` also writes the command line's output
    folder. `threads` defaults to all cores; the same inputs, config and threads give the same
    bytes as the command line."""
    fixed_points, moving_points = _landmark_sets(fixed_landmarks, moving_landmarks, landmark_ids)
    if pareto is not None and not 2 <= int(pareto) <= 200:
        raise UsageError(f"pareto={pareto}: a front has 2 to 200 solutions")
    result = _modir.register(
        fixed._pair(), moving._pair(), _optional_pair(fixed_labels), _optional_pair(moving_labels),
        fixed_points, moving_points,
        None if landmark_weights is None else [float(w) for w in landmark_weights],
        _optional_pair(fixed_mask), _optional_pair(rigidity_mask),
        None if config is None else json.dumps(config), int(pareto or 0),
        "" if out is None else os.fspath(out), int(threads or 0), bool(verbose))
    return Registration(
        displacement=Field._from_pair(result["displacement"]),
        warped=Image._from_pair(result["warped"]),
        warped_labels=None if result["warped_labels"] is None
        else Image._from_pair(result["warped_labels"]),
        report=json.loads(result["report"]),
        front=None if result["front"] is None else json.loads(result["front"]))


def warp(image: Image, field: Field, interpolation: str = "linear",
         outside_value: float = 0.0) -> Image:
    """Samples `image` at x + u(x) on the field's grid. interpolation: "linear" (float32 out),
    "nearest" (voxel type kept) or "labels" (uint16, each label's trilinear vote)."""
    return Image._from_pair(_modir.warp(image._pair(), field._pair(), interpolation,
                                        float(outside_value)))


def warp_points(points: Landmarks, field: Field, inverse: bool = False):
    """Points carried by the field, as `modir warp --points` carries them: fixed points to the
    moving scan (y = x + u(x)), or with `inverse=True` moving points back (the x with
    x + u(x) = y, solved per point; no inverse field needed). `points` is a point file, an
    (ids, [N, 3]) tuple or an [N, 3] array (ids "1".."N"). Returns (ids, [N, 3] array). A point
    the field does not cover is a DataError naming it; going back, a point the solve leaves more
    than 0.01 mm off (the field folds there) gets a warning on stderr."""
    if isinstance(points, (str, os.PathLike)):
        named = read_landmarks(points)
    elif isinstance(points, tuple) and len(points) == 2:
        named = (list(points[0]), np.asarray(points[1], dtype=float))
    else:
        named = (None, np.asarray(points, dtype=float))
    moved, _worst = _modir.warp_points(named, field._pair(), bool(inverse))
    return moved


def evaluate(field: Field, *, fixed_labels: Optional[Image] = None,
             moving_labels: Optional[Image] = None,
             fixed_landmarks: Optional[Landmarks] = None,
             moving_landmarks: Optional[Landmarks] = None, landmark_ids=None,
             true_displacement: Optional[Field] = None, bone_labels=(2, 7)) -> dict:
    """Scores a field as `modir evaluate --json` does (same keys): "jacobian"; with labels,
    "labels" (per label of either map: value, name, dice, hd95_mm, mean_surface_distance_mm,
    volumes; the moving labels are warped by the field here) and "bone_rigidity" (each piece of
    `bone_labels`: residual from its best rigid motion); with landmarks, "landmarks" (count,
    mean_mm, median_mm, p95_mm, max_mm and every point); with `true_displacement`,
    "field_error" (over the body when fixed labels are given)."""
    fixed_points, moving_points = _landmark_sets(fixed_landmarks, moving_landmarks, landmark_ids)
    return json.loads(_modir.evaluate(
        field._pair(), _optional_pair(fixed_labels), _optional_pair(moving_labels), fixed_points,
        moving_points, _optional_pair(true_displacement), [int(b) for b in bone_labels]))


def dice_by_label(scores: dict) -> dict:
    """{label value: Dice} from evaluate()'s "labels"."""
    return {entry["value"]: entry["dice"] for entry in scores.get("labels", [])}


def phantom(seed: int = 1, size: str = "small", deformation: str = "moderate",
            variety: bool = False, couch: bool = False, metal: bool = False,
            arms: bool = False, calcifications: bool = False, markers: bool = False) -> Phantom:
    """Generates a synthetic patient pair (`modir phantom`): the same seed gives the same bytes.
    `metal`: hip replacements and their streaks (`--metal`); `arms`: forearms beside the hips
    (`--arms`); `calcifications`: phleboliths, arterial plaques, prostatic foci
    (`--calcifications`); `markers`: gold fiducial markers in a man's prostate (`--markers`)."""
    p = _modir.phantom(int(seed), size, deformation, bool(variety), bool(couch), bool(metal),
                       bool(arms), bool(calcifications), bool(markers))
    return Phantom(
        fixed=Image._from_pair(p["fixed"]), moving=Image._from_pair(p["moving"]),
        fixed_labels=Image._from_pair(p["fixed_labels"]),
        moving_labels=Image._from_pair(p["moving_labels"]),
        true_displacement=Field._from_pair(p["true_displacement"]),
        fixed_landmarks=p["fixed_landmarks"], moving_landmarks=p["moving_landmarks"],
        meta=json.loads(p["meta"]))


def segment(image: Image, model=None, qc: bool = True, device: str = "cpu",
            threads: Optional[int] = None, verbose: bool = False) -> Tuple[Image, Optional[dict]]:
    """Organ labels on exactly `image`'s grid from a segmentation model folder (default: the
    shipped pelvic CT model), as `modir segment predict` makes them, and its quality check (the
    .qc.json as a dict: per organ a confidence, plausibility and a verdict; `qc=False` skips the
    three extra predictions it costs). LibTorch is loaded at the first call."""
    labels, report = _modir.segment(image._pair(), "" if model is None else os.fspath(model),
                                    bool(qc), device, int(threads or 0), bool(verbose))
    return Image._from_pair(labels), None if report is None else json.loads(report)


def segment_train(manifest, out, *, max_memory: Optional[float] = None, dry_run: bool = False,
                  threads: Optional[int] = None, verbose: bool = False, **options) -> dict:
    """Plans a U-Net from a manifest (patient_id, scan_id, image, labels; or a split file with a
    fold column) and trains it into the model folder `out`, as `modir segment train` does (the
    same files: plan.json, weights.pt, checkpoint.pt, training_log.csv, learning_curves.png,
    validation.csv). `options` are the command's options with underscores: validation_fold,
    validation_fraction, seed, device, mixed_precision, memory_budget, spacing, patch_size,
    base_channels, levels, batch_size, epochs, iterations, max_minutes, learning_rate, resume,
    init_from, appearance, truncation, stop_after_epochs, label_names, fill_holes,
    validation_patches;
    an unknown one is a UsageError. The peak memory is estimated before any scan is resampled and
    a run over `max_memory` MiB (default: the memory available now) raises DataError. Returns the
    plan, the per-epoch history and the final validation per scan, with the estimate;
    `dry_run=True` returns the plan and the estimate (and whether it fits) and writes nothing."""
    if "init_from" in options and options["init_from"] is not None:
        options["init_from"] = os.fspath(options["init_from"])
    options = {k: v for k, v in options.items() if v is not None}
    return json.loads(_modir.segment_train(
        os.fspath(manifest), os.fspath(out), json.dumps(options),
        None if max_memory is None else float(max_memory), bool(dry_run), int(threads or 0),
        bool(verbose)))


def dataset_check(manifest, split=None, threads: Optional[int] = None,
                  verbose: bool = False) -> dict:
    """`modir dataset check` on a manifest.csv (patient_id, scan_id, image, labels): duplicate
    scans, label sets, geometry and intensity outliers, and with `split` its leakage; the findings
    as docs/dataset.md describes them."""
    return json.loads(_modir.dataset_check(os.fspath(manifest),
                                           "" if split is None else os.fspath(split),
                                           int(threads or 0), bool(verbose)))


def propagate(planning, structures, daily, out, *, planning_series: Optional[str] = None,
              daily_series: Optional[str] = None, model=None, config: Optional[dict] = None,
              names_table=None, qc: bool = True, pareto: Optional[int] = None,
              pick: Optional[dict] = None, landmarks: Optional[str] = None,
              landmark_method: str = "classical", device: str = "cpu",
              max_memory: Optional[float] = None, threads: Optional[int] = None,
              verbose: bool = False) -> dict:
    """Carries the planning CT's structures (an RT Structure Set) onto the daily CT, as
    `modir propagate` does: the daily organs predicted by `model` (default: the shipped pelvic
    model) and checked (`qc`), a registration guided by the organs both scans show, every
    structure warped on its own. Scans are DICOM folders (with `*_series` to choose a series) or
    image files. Writes the command line's folder `out` (RS_propagated.dcm on a DICOM daily
    series, labels.nii.gz, displacement.nii.gz, report.json, ...) and returns report.json as a
    dict. `pareto=N` computes a front and carries the structures with the solution `pick` chooses
    (the command line's pick options as keys: {"minimise": "deformation", "max_organ_mm": 3};
    default its knee). `landmarks="auto"` also guides with landmarks modir matches itself
    (`landmark_method` "classical" or "learned"). `device="cuda"` runs the networks (segmentation,
    learned landmarks) on the GPU; the registration runs on the CPU. The
    peak memory is estimated from the headers first; over `max_memory` MiB (default: the memory
    available now) it raises DataError before any work."""
    if pareto is not None and not 2 <= int(pareto) <= 200:
        raise UsageError(f"pareto={pareto}: a front has 2 to 200 solutions")
    if landmarks not in (None, "auto"):
        raise UsageError(f"landmarks={landmarks!r}: the only choice is \"auto\"")
    if pick is not None and pareto is None:
        raise UsageError("pick chooses one solution of a front: add pareto=N")
    report = _modir.propagate(
        os.fspath(planning), os.fspath(structures), os.fspath(daily), os.fspath(out),
        planning_series or "", daily_series or "", "" if model is None else os.fspath(model),
        None if config is None else json.dumps(config),
        "" if names_table is None else os.fspath(names_table), bool(qc), int(pareto or 0),
        None if pick is None else json.dumps(pick), landmarks == "auto", landmark_method, device,
        None if max_memory is None else float(max_memory), int(threads or 0), bool(verbose))
    return json.loads(report)
