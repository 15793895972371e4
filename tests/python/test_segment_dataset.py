"""Segmentation and dataset checks from Python are the command line's."""

import json
import subprocess

import numpy as np

import modir


def test_segment_equals_the_command_line(tmp_path, pair_dir, modir_binary):
    out = tmp_path / "pred.nii.gz"
    subprocess.run([modir_binary, "segment", "predict", "--quiet", "--threads", "2",
                    "--image", str(pair_dir / "fixed.nii.gz"), "--out", str(out)], check=True)
    image = modir.read_image(pair_dir / "fixed.nii.gz")
    labels, qc = modir.segment(image, threads=2)
    assert labels.array.dtype == np.uint16 and labels.same_grid(image)
    np.testing.assert_array_equal(labels.array, modir.read_labels(out).array)
    cli_qc = json.loads((tmp_path / "pred.qc.json").read_text())
    assert qc["labels_digest"] == cli_qc["labels_digest"]
    assert {k: v["verdict"] for k, v in qc["organs"].items()} == \
        {k: v["verdict"] for k, v in cli_qc["organs"].items()}
    truth = modir.read_labels(pair_dir / "fixed_labels.nii.gz").array
    bladder = 2 * np.sum((labels.array == 3) & (truth == 3)) / (
        np.sum(labels.array == 3) + np.sum(truth == 3))
    assert bladder > 0.8


def test_dataset_check_finds_a_duplicate(tmp_path, modir_binary):
    cohort = tmp_path / "cohort"
    subprocess.run([modir_binary, "phantom", "--quiet", "--cohort", "3", "--seed", "4",
                    "--duplicates", "1", "--out", str(cohort)], check=True)
    findings = modir.dataset_check(cohort / "manifest.csv")
    subprocess.run([modir_binary, "dataset", "check", str(cohort / "manifest.csv"), "--json",
                    str(tmp_path / "cli.json")], check=False, stdout=subprocess.DEVNULL)
    assert findings == json.loads((tmp_path / "cli.json").read_text())
    assert any("duplicate" in f["kind"] for f in findings["findings"])
