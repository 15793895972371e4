"""Registration from Python is the command line's registration: same bytes, same report."""

import json
import subprocess

import numpy as np
import pytest

import modir
from conftest import FAST_CONFIG

# Keys of report.json that describe the run rather than its result.
RUN_KEYS = {"inputs", "timings_s", "peak_memory_mib", "estimated_peak_memory_mib", "levels"}


def read_pair(folder):
    return dict(fixed=modir.read_image(folder / "fixed.nii.gz"),
                moving=modir.read_image(folder / "moving.nii.gz"),
                fixed_labels=modir.read_labels(folder / "fixed_labels.nii.gz"),
                moving_labels=modir.read_labels(folder / "moving_labels.nii.gz"))


def without_seconds(levels):
    return [{k: v for k, v in level.items() if k != "seconds"} for level in levels]


def test_register_equals_the_command_line_byte_for_byte(tmp_path, pair_dir, modir_binary):
    config = tmp_path / "fast.json"
    config.write_text(json.dumps(FAST_CONFIG))
    cli = tmp_path / "cli"
    subprocess.run([modir_binary, "register", "--quiet", "--threads", "2",
                    "--fixed", str(pair_dir / "fixed.nii.gz"),
                    "--moving", str(pair_dir / "moving.nii.gz"),
                    "--fixed-labels", str(pair_dir / "fixed_labels.nii.gz"),
                    "--moving-labels", str(pair_dir / "moving_labels.nii.gz"),
                    "--fixed-landmarks", str(pair_dir / "fixed_landmarks.csv"),
                    "--moving-landmarks", str(pair_dir / "moving_landmarks.csv"),
                    "--config", str(config), "--out", str(cli)], check=True)
    pair = read_pair(pair_dir)
    result = modir.register(pair["fixed"], pair["moving"], fixed_labels=pair["fixed_labels"],
                            moving_labels=pair["moving_labels"],
                            fixed_landmarks=pair_dir / "fixed_landmarks.csv",
                            moving_landmarks=pair_dir / "moving_landmarks.csv",
                            config=FAST_CONFIG, threads=2, out=tmp_path / "py")

    cli_field = modir.read_displacement(cli / "displacement.nii.gz")
    assert result.displacement.same_grid(pair["fixed"])
    assert result.displacement.array.tobytes() == cli_field.array.tobytes()
    for name in ("displacement.nii.gz", "warped.nii.gz", "jacobian.nii.gz",
                 "warped_labels.nii.gz", "transform.json"):
        assert (tmp_path / "py" / name).read_bytes() == (cli / name).read_bytes(), name
    np.testing.assert_array_equal(
        result.warped_labels.array, modir.read_labels(cli / "warped_labels.nii.gz").array)

    cli_report = json.loads((cli / "report.json").read_text())
    for key in set(cli_report) - RUN_KEYS:
        assert result.report[key] == cli_report[key], key
    assert without_seconds(result.report["levels"]) == without_seconds(cli_report["levels"])
    assert result.report["inputs"]["fixed"] == {"source": "memory"}
    assert result.jacobian["folded_voxels"] == 0


def test_guidance_helps_and_evaluate_measures_it(pair_dir):
    pair = read_pair(pair_dir)
    truth_fixed = modir.read_landmarks(pair_dir / "fixed_landmarks.csv")
    truth_moving = modir.read_landmarks(pair_dir / "moving_landmarks.csv")
    result = modir.register(pair["fixed"], pair["moving"], fixed_labels=pair["fixed_labels"],
                            moving_labels=pair["moving_labels"], config=FAST_CONFIG)
    scores = modir.evaluate(result.displacement, fixed_labels=pair["fixed_labels"],
                            moving_labels=pair["moving_labels"], fixed_landmarks=truth_fixed,
                            moving_landmarks=truth_moving)
    tre = scores["landmarks"]
    assert tre["mean_mm"] < 0.5 * tre["initial_mean_mm"]
    assert modir.dice_by_label(scores)[3] > 0.9  # the bladder
    assert scores["bone_rigidity"]["worst_rms_mm"] < 1.0
    # The true field scores (almost) perfectly: evaluate's own check.
    truth = modir.read_displacement(pair_dir / "gt_displacement.nii.gz")
    assert modir.evaluate(truth, fixed_landmarks=truth_fixed,
                          moving_landmarks=truth_moving)["landmarks"]["mean_mm"] < 0.3
    assert modir.evaluate(truth, true_displacement=truth)["field_error"]["max_mm"] == 0


def test_evaluate_equals_the_command_line(tmp_path, pair_dir, modir_binary):
    pair = read_pair(pair_dir)
    result = modir.register(pair["fixed"], pair["moving"], fixed_labels=pair["fixed_labels"],
                            moving_labels=pair["moving_labels"], config=FAST_CONFIG,
                            out=tmp_path / "run")
    subprocess.run([modir_binary, "evaluate", "--quiet",
                    "--fixed-labels", str(pair_dir / "fixed_labels.nii.gz"),
                    "--warped-labels", str(tmp_path / "run" / "warped_labels.nii.gz"),
                    "--displacement", str(tmp_path / "run" / "displacement.nii.gz"),
                    "--fixed-landmarks", str(pair_dir / "fixed_landmarks.csv"),
                    "--moving-landmarks", str(pair_dir / "moving_landmarks.csv"),
                    "--true-displacement", str(pair_dir / "gt_displacement.nii.gz"),
                    "--json", str(tmp_path / "cli.json")], check=True, stdout=subprocess.DEVNULL)
    cli = json.loads((tmp_path / "cli.json").read_text())
    scores = modir.evaluate(result.displacement, fixed_labels=pair["fixed_labels"],
                            moving_labels=pair["moving_labels"],
                            fixed_landmarks=pair_dir / "fixed_landmarks.csv",
                            moving_landmarks=pair_dir / "moving_landmarks.csv",
                            true_displacement=modir.read_displacement(
                                pair_dir / "gt_displacement.nii.gz"))
    for key in ("jacobian", "landmarks", "bone_rigidity", "field_error"):
        assert scores[key] == cli[key], key
    # The command line names labels from the phantom's meta.json beside the map; arrays carry
    # no names, so Python's entries are named by number.
    unnamed = [{k: v for k, v in entry.items() if k != "name"} for entry in cli["labels"]]
    assert [{k: v for k, v in e.items() if k != "name"} for e in scores["labels"]] == unnamed


def test_front_from_python(pair_dir, tmp_path):
    pair = read_pair(pair_dir)
    result = modir.register(pair["fixed"], pair["moving"], fixed_labels=pair["fixed_labels"],
                            moving_labels=pair["moving_labels"], config=FAST_CONFIG, pareto=3,
                            out=tmp_path / "front")
    # The returned field is the knee's, as written into the front's folder.
    written = modir.read_displacement(tmp_path / "front" / "displacement.nii.gz")
    assert result.displacement.array.tobytes() == written.array.tobytes()
    assert result.front is not None
    assert len(result.front["solutions"]) >= 3
    knee = result.front["knee"]
    assert 0 <= knee < len(result.front["solutions"])
    assert result.report["front"]["knee"] == knee
    assert result.displacement.same_grid(pair["fixed"])


def test_warp_with_a_zero_field_is_the_identity(pair_dir):
    pair = read_pair(pair_dir)
    zero = modir.Field(np.zeros(pair["fixed"].array.shape + (3,), np.float32),
                       pair["fixed"].spacing, pair["fixed"].origin, pair["fixed"].direction)
    same = modir.warp(pair["fixed_labels"], zero, interpolation="labels")
    np.testing.assert_array_equal(same.array, pair["fixed_labels"].array)
    nearest = modir.warp(pair["fixed"], zero, interpolation="nearest")
    assert nearest.array.dtype == pair["fixed"].array.dtype
    np.testing.assert_array_equal(nearest.array, pair["fixed"].array)


def test_warp_points_equals_the_command_line_and_goes_back(tmp_path, pair_dir, modir_binary):
    field_path = pair_dir / "gt_displacement.nii.gz"
    points = pair_dir / "fixed_landmarks.csv"
    subprocess.run([modir_binary, "warp", "--quiet", "--points", str(points), "--displacement",
                    str(field_path), "--out", str(tmp_path / "moved.csv")], check=True)
    field = modir.read_displacement(field_path)
    ids, moved = modir.warp_points(points, field)
    cli_ids, cli_moved = modir.read_landmarks(tmp_path / "moved.csv")
    assert ids == cli_ids
    np.testing.assert_allclose(moved, cli_moved, atol=1e-4)  # the CSV keeps 4 decimals
    fixed_ids, fixed = modir.read_landmarks(points)
    assert not np.allclose(moved, fixed, atol=0.5), "the phantom's field moves its landmarks"
    back_ids, back = modir.warp_points((ids, moved), field, inverse=True)
    assert back_ids == fixed_ids
    np.testing.assert_allclose(back, fixed, atol=0.01)
    with pytest.raises(modir.DataError, match="outside the grid"):
        modir.warp_points(np.array([[1e4, 0.0, 0.0]]), field)


def test_phantom_is_deterministic_by_seed():
    a, b = modir.phantom(seed=11), modir.phantom(seed=11)
    assert a.fixed.array.tobytes() == b.fixed.array.tobytes()
    assert a.true_displacement.array.tobytes() == b.true_displacement.array.tobytes()
    assert a.meta["seed"] == 11
    assert modir.phantom(seed=12).fixed.array.tobytes() != a.fixed.array.tobytes()
    assert a.meta["metal"] is None
    metal = modir.phantom(seed=11, metal=True)
    assert metal.meta["metal"]["sides"] in ({"right": True, "left": False},
                                            {"right": False, "left": True},
                                            {"right": True, "left": True})
    # The same patient, with a hip replacement clipped at the scanner's 3071 HU.
    assert (metal.fixed.array >= 3071).sum() > 0
    assert (a.fixed.array >= 3071).sum() == 0
    calcified = modir.phantom(seed=11, calcifications=True)
    assert calcified.meta["calcifications"]["placed"]["phleboliths"] > 0
    # The same patient and labels, with bright specks where soft tissue was.
    assert (calcified.fixed_labels.array != a.fixed_labels.array).sum() <= 2
    assert (calcified.fixed.array > a.fixed.array + 100).sum() > 0
    assert modir.phantom(seed=11, markers=True).meta["markers"]["count"] in (3, 4)


def test_bad_registration_input_is_a_clear_error(pair_dir):
    pair = read_pair(pair_dir)
    with pytest.raises(modir.UsageError, match="both fixed_labels and moving_labels"):
        modir.register(pair["fixed"], pair["moving"], fixed_labels=pair["fixed_labels"])
    broken = modir.Image(pair["fixed"].array.astype(np.float32), pair["fixed"].spacing,
                         pair["fixed"].origin, pair["fixed"].direction)
    broken.array[0, 0, 0] = np.nan
    with pytest.raises(modir.DataError, match="NaN"):
        modir.register(broken, pair["moving"])
    small = modir.Image(pair["fixed_labels"].array[:, :, :50], pair["fixed"].spacing)
    with pytest.raises(modir.DataError, match="fixed_labels"):
        modir.register(pair["fixed"], pair["moving"], fixed_labels=small,
                       moving_labels=pair["moving_labels"])
    empty = modir.Image(np.zeros_like(pair["fixed_labels"].array), pair["fixed"].spacing,
                        pair["fixed"].origin, pair["fixed"].direction)
    with pytest.raises(modir.DataError, match="empty"):
        modir.register(pair["fixed"], pair["moving"], fixed_labels=empty,
                       moving_labels=pair["moving_labels"])
    with pytest.raises(modir.UsageError, match="unknown|metric"):
        modir.register(pair["fixed"], pair["moving"], config={"no_such_key": 1})
    with pytest.raises(modir.DataError, match="do not pair"):
        modir.register(pair["fixed"], pair["moving"], fixed_landmarks=[[0, 0, 0], [5, 0, 0]],
                       moving_landmarks=[[0, 0, 0]])
    with pytest.raises(modir.DataError, match="outside"):
        modir.register(pair["fixed"], pair["moving"], fixed_landmarks=[[1e4, 0, 0]],
                       moving_landmarks=[[0, 0, 0]])
