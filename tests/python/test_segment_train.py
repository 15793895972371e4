"""modir.segment_train is `modir segment train`: the same options, checks and model folder."""

import subprocess

import numpy as np
import pytest

import modir

TINY = {"seed": 3, "epochs": 2, "iterations": 3, "validation_fraction": 0.34,
        "validation_patches": 1, "learning_rate": 0.01, "spacing": 4, "patch_size": 16,
        "levels": 3, "base_channels": 8, "appearance": 0.0, "truncation": 0.0}


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    """Three tiny patients: a body (label 1) holding a bright sphere (label 3) in air."""
    folder = tmp_path_factory.mktemp("cohort")
    rng = np.random.default_rng(11)
    rows = ["patient_id,scan_id,image,labels"]
    z, y, x = np.mgrid[0:16, 0:22, 0:24]
    for p in range(3):
        body = np.hypot((x - 11.5) / 10.0, (y - 10.5) / 9.0) < 1.0
        sphere = np.sqrt((x - 11 - 2 * p) ** 2 + (y - 10 + p) ** 2 + (z - 8) ** 2) < 3.5 + p
        labels = np.where(sphere, 3, np.where(body, 1, 0)).astype(np.uint16)
        hu = np.choose(np.minimum(labels, 2), [-1000.0, 0.0, 300.0]) + rng.normal(0, 15, labels.shape)
        geometry = dict(spacing=(4, 4, 4), origin=(-40.0 + p, -30.0, 10.0))
        modir.write_image(modir.Image(hu.astype(np.int16), **geometry), folder / f"P{p}.nii.gz")
        modir.write_image(modir.Image(labels, **geometry), folder / f"P{p}_labels.nii.gz")
        rows.append(f"P{p},S0,P{p}.nii.gz,P{p}_labels.nii.gz")
    (folder / "manifest.csv").write_text("\n".join(rows) + "\n")
    return folder


def cli_arguments(options):
    flags = {"iterations": "--iterations", "validation_fraction": "--validation-fraction"}
    out = []
    for key, value in options.items():
        out += [flags.get(key, "--" + key.replace("_", "-")), str(value)]
    return out


def test_training_from_python_equals_the_command_line(tmp_path, cohort, modir_binary):
    result = modir.segment_train(cohort / "manifest.csv", tmp_path / "py", threads=1, **TINY)
    assert [e["epoch"] for e in result["history"]] == [1, 2]
    assert result["training_scans"] == 2 and result["validation_scans"] == 1
    assert result["plan"]["patch_size"] == [16, 16, 16]
    assert set(result["history"][0]["validation_dice"]) == {"label_1", "label_3"}
    assert 0 < result["estimated_peak_memory_mib"] < 4096
    subprocess.run([modir_binary, "segment", "train", "--quiet", "--threads", "1", "--manifest",
                    str(cohort / "manifest.csv"), "--out", str(tmp_path / "cli"),
                    *cli_arguments(TINY)], check=True, stdout=subprocess.DEVNULL)
    # One thread: the same sums in the same order, so the same weights to the bit.
    assert (tmp_path / "py" / "weights.pt").read_bytes() == \
        (tmp_path / "cli" / "weights.pt").read_bytes()
    image = modir.read_image(cohort / "P0.nii.gz")
    labels, _ = modir.segment(image, model=tmp_path / "py", qc=False, threads=1)
    assert labels.same_grid(image)


def test_a_dry_run_plans_and_estimates_without_writing(tmp_path, cohort):
    estimate = modir.segment_train(cohort / "manifest.csv", tmp_path / "model", dry_run=True,
                                   max_memory=100000, **TINY)
    assert estimate["fits"] and estimate["limit_mib"] == 100000
    assert estimate["plan"]["network"]["base_channels"] == 8
    assert not (tmp_path / "model").exists()
    tight = modir.segment_train(cohort / "manifest.csv", tmp_path / "model", dry_run=True,
                                max_memory=10, **TINY)
    assert not tight["fits"]


def test_a_run_over_the_memory_limit_is_refused_before_it_starts(tmp_path, cohort):
    with pytest.raises(modir.DataError, match="max_memory allows 10 MiB"):
        modir.segment_train(cohort / "manifest.csv", tmp_path / "model", max_memory=10, **TINY)
    assert not (tmp_path / "model").exists()


def test_options_are_checked_by_name(tmp_path, cohort):
    with pytest.raises(modir.UsageError, match="did you mean 'epochs'"):
        modir.segment_train(cohort / "manifest.csv", tmp_path / "m", epohcs=3)
    with pytest.raises(modir.UsageError, match="validation fraction"):
        modir.segment_train(cohort / "manifest.csv", tmp_path / "m", validation_fraction=1.5)
    with pytest.raises(modir.UsageError, match="init_from"):
        modir.segment_train(cohort / "manifest.csv", tmp_path / "m", init_from=tmp_path,
                            batch_size=2)
