"""The cohort workflow (workflows/cohort) on a 3-patient phantom cohort: its dry run lists the
expected jobs, and a local run with 2 cores writes one summary row per repeat scan."""

import csv
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SNAKEFILE = REPO / "workflows" / "cohort" / "Snakefile"
FAST = {"deformable": {"levels": 2, "iterations": [30, 20]}}


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    modir = os.environ.get("MODIR_BINARY")
    if not modir or not os.path.exists(modir):
        pytest.fail("MODIR_BINARY must name the modir program of this build (ctest sets it)")
    modir = str(Path(modir).resolve())
    work = tmp_path_factory.mktemp("cohort_workflow")
    subprocess.run([modir, "phantom", "--quiet", "--cohort", "3", "--seed", "6",
                    "--duplicates", "0", "--merged-labels", "0", "--out", str(work / "cohort")],
                   check=True)
    (work / "fast.json").write_text(json.dumps(FAST))
    return work, modir


def snakemake(work, modir, *extra):
    return subprocess.run(
        ["snakemake", "-s", str(SNAKEFILE), "--cores", "2", *extra, "--config",
         f"manifest={work / 'cohort' / 'manifest.csv'}", f"out={work / 'run'}",
         f"modir={modir}", f"register_config={work / 'fast.json'}"],
        cwd=work, capture_output=True, text=True)


def manifest_pairs(work):
    with open(work / "cohort" / "manifest.csv") as f:
        rows = list(csv.DictReader(f))
    first = {}
    for r in rows:
        first.setdefault(r["patient_id"], r["scan_id"])
    return {(r["patient_id"], r["scan_id"]) for r in rows if r["scan_id"] != first[r["patient_id"]]}


def test_dry_run_lists_the_expected_jobs(cohort):
    work, modir = cohort
    result = snakemake(work, modir, "--dry-run", "--quiet")
    assert result.returncode == 0, result.stderr
    scans = sum(1 for _ in open(work / "cohort" / "manifest.csv")) - 1
    pairs = len(manifest_pairs(work))
    counts = dict(re.findall(r"^(\w+)\s+(\d+)\s", result.stdout, re.MULTILINE))
    assert counts == {"all": "1", "dataset_check": "1", "segment": str(pairs),
                      "register": str(pairs), "evaluate": str(pairs), "summary": "1",
                      "total": str(3 * pairs + 3)}, result.stdout
    assert scans > pairs  # the planning scans are not segmented: their structures guide


def test_local_run_writes_every_summary_row(cohort):
    work, modir = cohort
    result = snakemake(work, modir, "--quiet")
    assert result.returncode == 0, result.stderr[-3000:]
    with open(work / "run" / "summary.csv") as f:
        rows = list(csv.DictReader(f))
    assert {(r["patient_id"], r["scan_id"]) for r in rows} == manifest_pairs(work)
    for r in rows:
        assert r["folded_voxels"] == "0"
        assert float(r["min_dice"]) > 0.5
        assert 0 < float(r["peak_memory_mib"])
    minimums = [float(r["min_dice"]) for r in rows]
    assert minimums == sorted(minimums)  # worst first
    summary = (work / "run" / "summary.md").read_text()
    assert "Dataset check:" in summary and len(summary.splitlines()) == 8 + len(rows)
    # Nothing left to do: a second run is a no-op.
    again = snakemake(work, modir, "--dry-run", "--quiet")
    assert "Nothing to be done" in again.stdout + again.stderr
