"""The cohort's summary table: one row per registered repeat scan, worst first (by its lowest
organ Dice), with the dataset check's counts on top. Run by Snakemake's `script:` directive."""

import csv
import json
from pathlib import Path


def load(path):
    with open(path) as f:
        return json.load(f)


def organ_name(entry):
    return entry.get("name") or f"label {entry['value']}"


def row_of(pair, evaluation, report, qc):
    patient, scan = pair
    row = {"patient_id": patient, "scan_id": scan}
    organs = {organ_name(e): e for e in evaluation.get("labels", [])}
    for name, e in organs.items():
        row[f"dice_{name}"] = round(e["dice"], 4)
        row[f"hd95_mm_{name}"] = round(e["hd95_mm"], 2) if e.get("hd95_mm") is not None else ""
    row["min_dice"] = round(min((e["dice"] for e in organs.values()), default=float("nan")), 4)
    jacobian = evaluation.get("jacobian", {})
    row["folded_voxels"] = jacobian.get("folded_voxels", "")
    row["jacobian_min"] = round(jacobian.get("min", float("nan")), 3)
    row["guiding_organs"] = len(report.get("guidance", {}).get("organs", []))
    row["qc_unreliable"] = " ".join(sorted(name for name, organ in qc.get("organs", {}).items()
                                           if organ.get("verdict") != "reliable"))
    row["register_s"] = round(report.get("timings_s", {}).get("total", float("nan")), 1)
    row["peak_memory_mib"] = round(report.get("peak_memory_mib", float("nan")))
    return row


def main(pairs, findings_path, evaluations, reports, qcs, csv_path, markdown_path):
    rows = [row_of(pair, load(e), load(r), load(q))
            for pair, e, r, q in zip(pairs, evaluations, reports, qcs)]
    rows.sort(key=lambda r: (r["min_dice"] if r["min_dice"] == r["min_dice"] else 2.0))
    columns = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    Path(csv_path).parent.mkdir(parents=True, exist_ok=True)
    with open(csv_path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(rows)
    findings = load(findings_path)
    counts = findings.get("counts", {})
    lines = [
        "# modir cohort summary", "",
        f"Dataset check: {counts.get('error', 0)} errors, {counts.get('warning', 0)} warnings, "
        f"{counts.get('info', 0)} notes over {findings.get('scans', '?')} scans "
        f"({findings_path}).", "",
        f"{len(rows)} registrations, worst first (lowest organ Dice):", "",
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
    ]
    lines += ["| " + " | ".join(str(r.get(c, "")) for c in columns) + " |" for r in rows]
    Path(markdown_path).write_text("\n".join(lines) + "\n")


if __name__ == "__main__" and "snakemake" in globals():
    main([tuple(p) for p in snakemake.params.pairs], snakemake.input.findings,
         snakemake.input.evaluations, snakemake.input.reports, snakemake.input.qc,
         snakemake.output.csv, snakemake.output.markdown)
