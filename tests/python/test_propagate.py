"""Contour propagation from Python is the command line's: the same folder, the same bytes."""

import json
import subprocess

import pytest

import modir
from conftest import FAST_CONFIG

# Keys of report.json that describe the run (paths, checksums) rather than its result.
RUN_KEYS = {"inputs", "planning", "daily", "structures_file", "levels"}


@pytest.fixture(scope="module")
def patient(tmp_path_factory, modir_binary, pair_dir):
    """The phantom pair in DICOM: daily/ (fixed scan), planning/ (moving scan) and RS_plan.dcm,
    the planning organs as an RT Structure Set named as in meta.json."""
    folder = tmp_path_factory.mktemp("patient")

    def run(*arguments):
        subprocess.run([modir_binary, *arguments], check=True)

    run("convert", "--quiet", str(pair_dir / "fixed.nii.gz"), str(folder / "daily"), "--dicom")
    run("convert", "--quiet", str(pair_dir / "moving.nii.gz"), str(folder / "planning"), "--dicom")
    run("convert", "--quiet", str(pair_dir / "moving_labels.nii.gz"), str(folder / "RS_plan.dcm"),
        "--reference", str(folder / "planning"), "--names", str(pair_dir / "meta.json"))
    return folder


def test_propagate_equals_the_command_line(tmp_path, patient, modir_binary):
    config = tmp_path / "fast.json"
    config.write_text(json.dumps(FAST_CONFIG))
    cli = tmp_path / "cli"
    subprocess.run([modir_binary, "propagate", "--quiet", "--threads", "2", "--no-qc",
                    "--planning", str(patient / "planning"),
                    "--structures", str(patient / "RS_plan.dcm"),
                    "--daily", str(patient / "daily"), "--config", str(config),
                    "--out", str(cli)], check=True, capture_output=True)
    report = modir.propagate(patient / "planning", patient / "RS_plan.dcm", patient / "daily",
                             tmp_path / "py", config=FAST_CONFIG, qc=False, threads=2)

    py = tmp_path / "py"
    assert report == json.loads((py / "report.json").read_text())
    cli_report = json.loads((cli / "report.json").read_text())
    for key in set(cli_report) - RUN_KEYS:
        assert report[key] == cli_report[key], key
    assert report["inputs"]["structures"]["sha256"] == cli_report["inputs"]["structures"]["sha256"]
    assert report["guiding_organs"], "the organs both scans show guide"
    for name in ("displacement.nii.gz", "labels.nii.gz", "daily_organs.nii.gz", "labels.json"):
        assert (py / name).read_bytes() == (cli / name).read_bytes(), name
    # The structure set lies on the daily series (its UIDs and time differ from run to run).
    assert (py / "RS_propagated.dcm").stat().st_size > 0


def test_propagate_refuses_bad_requests_before_any_work(tmp_path, patient):
    args = (patient / "planning", patient / "RS_plan.dcm", patient / "daily")
    with pytest.raises(modir.UsageError, match="pareto"):
        modir.propagate(*args, tmp_path / "a", pick={"minimise": "deformation"})
    with pytest.raises(modir.UsageError, match="unknown pick rule 'smallest'"):
        modir.propagate(*args, tmp_path / "b", pareto=4, pick={"smallest": "image"})
    with pytest.raises(modir.UsageError, match="--knee and --minimise"):
        modir.propagate(*args, tmp_path / "c", pareto=4,
                        pick={"knee": True, "minimise": "image"})
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "x.txt").write_text("not ours")
    with pytest.raises(modir.UsageError, match="not empty"):
        modir.propagate(*args, busy)
    assert (busy / "x.txt").read_text() == "not ours"
    with pytest.raises(modir.DataError, match="does not exist"):
        modir.propagate(tmp_path / "missing", patient / "RS_plan.dcm", patient / "daily",
                        tmp_path / "d")
    with pytest.raises(modir.DataError,
                       match="propagation needs about .* max_memory allows 10 MiB"):
        modir.propagate(*args, tmp_path / "e", max_memory=10)
    with pytest.raises(modir.UsageError, match="classical or learned"):
        modir.propagate(*args, tmp_path / "f", landmarks="auto", landmark_method="deep")
    with pytest.raises(modir.UsageError, match="--device must be cpu or cuda, not 'tpu'"):
        modir.propagate(*args, tmp_path / "g", device="tpu")
    for name in "abcdefg":
        assert not (tmp_path / name).exists(), name
