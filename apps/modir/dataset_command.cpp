// `modir dataset`: quality checks of a training/evaluation dataset before anything learns from
// it. `check` finds leakage (the same scan under two patient ids, a patient split across folds),
// label-set, geometry and intensity problems; `split` makes patient-level, leakage-free folds.

#include <fstream>
#include <optional>
#include <set>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "modir/core/error.h"
#include "modir/core/progress.h"
#include "modir/dataset/check.h"
#include "modir/dataset/manifest.h"
#include "modir/dataset/split.h"
#include "modir/dataset/truth_score.h"
#include "modir/io/output_file.h"

namespace modir::cli {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

/// The exit status of `modir dataset check` when it finds error-severity problems.
constexpr int kFindingsExitCode = 3;

struct CheckOptions {
  std::string manifest;
  std::string split;
  std::string json_out;
  std::string truth;
};

struct SplitOptions {
  std::string manifest;
  int folds = 5;
  std::uint64_t seed = 1;
  std::string out;
};

std::string joined(const std::vector<std::string>& patients,
                   const std::vector<std::string>& scans) {
  std::string out;
  for (std::size_t i = 0; i < patients.size(); ++i) {
    out += (out.empty() ? "" : " ") + patients[i];
    if (i < scans.size() && !scans[i].empty()) out += "/" + scans[i];
  }
  return out;
}

void print_table(const dataset::CheckResult& result) {
  std::set<std::string> patients;
  for (const dataset::ScanEntry& e : result.manifest.scans) patients.insert(e.patient_id);
  fmt::print("{} scans of {} patients in {}: {} error(s), {} warning(s), {} note(s)\n",
             result.manifest.scans.size(), patients.size(), result.manifest.file.string(),
             result.count(dataset::Severity::kError), result.count(dataset::Severity::kWarning),
             result.count(dataset::Severity::kInfo));
  if (result.findings.empty()) return;
  fmt::print("{:<8} {:<22} {:<24} {}\n", "severity", "kind", "scans", "message / files");
  for (const dataset::Finding& f : result.findings) {
    fmt::print("{:<8} {:<22} {:<24} {}\n", dataset::severity_name(f.severity), f.kind,
               joined(f.patient_ids, f.scan_ids), f.message);
    std::string files;
    for (const std::string& file : f.files) files += (files.empty() ? "" : ", ") + file;
    if (!files.empty()) fmt::print("{:<56} {}\n", "", files);
  }
}

json score(const dataset::CheckResult& result, const std::string& truth_path) {
  std::ifstream stream(truth_path);
  if (!stream) throw data_error("the truth file '{}' cannot be opened", truth_path);
  const json truth = json::parse(stream, nullptr, false);
  if (truth.is_discarded()) throw data_error("the truth file '{}' is not valid JSON", truth_path);
  json scores = json::array();
  fmt::print("\nagainst {}:\n{:<18} {:<18} {:>4} {:>4} {:>4} {:>9} {:>6}\n", truth_path,
             "truth kind", "finding kind", "TP", "FP", "FN", "precision", "recall");
  for (const dataset::KindScore& s : dataset::score_against_truth(result.findings, truth)) {
    fmt::print("{:<18} {:<18} {:>4} {:>4} {:>4} {:>9.2f} {:>6.2f}\n", s.truth_kind, s.finding_kind,
               s.true_positives, s.false_positives, s.false_negatives, s.precision(), s.recall());
    scores.push_back({{"truth_kind", s.truth_kind},
                      {"finding_kind", s.finding_kind},
                      {"true_positives", s.true_positives},
                      {"false_positives", s.false_positives},
                      {"false_negatives", s.false_negatives},
                      {"precision", s.precision()},
                      {"recall", s.recall()}});
  }
  return scores;
}

int run_check(const CheckOptions& o, const GlobalOptions& global) {
  if (!o.json_out.empty())
    io::refuse_overwriting_inputs(o.json_out, {o.manifest, o.split, o.truth});
  const dataset::Manifest manifest = dataset::read_manifest(o.manifest);
  std::optional<dataset::Split> split;
  if (!o.split.empty()) split = dataset::read_split(o.split);
  Progress progress(global.quiet ? ProgressStyle::kQuiet : ProgressStyle::kAuto);
  const dataset::CheckResult result = dataset::check_dataset(manifest, split, progress);
  print_table(result);
  json report = dataset::to_json(result);
  report["split"] = o.split.empty() ? json(nullptr) : json(o.split);
  if (!o.truth.empty()) report["score"] = score(result, o.truth);
  if (!o.json_out.empty()) io::write_text_file(o.json_out, report.dump(2) + "\n");
  return result.count(dataset::Severity::kError) > 0 ? kFindingsExitCode : 0;
}

int run_split(const SplitOptions& o, const GlobalOptions& global) {
  io::refuse_overwriting_inputs(o.out, {o.manifest});
  const dataset::Manifest manifest = dataset::read_manifest(o.manifest);
  Progress progress(global.quiet ? ProgressStyle::kQuiet : ProgressStyle::kAuto);
  const dataset::CheckResult result = dataset::summarise_dataset(manifest, progress);
  const std::vector<int> folds = dataset::make_folds(manifest, result.units, o.folds, o.seed);
  dataset::write_split(manifest, folds, o.out);
  std::vector<std::size_t> scans(static_cast<std::size_t>(o.folds), 0);
  std::vector<std::set<std::string>> patients(static_cast<std::size_t>(o.folds));
  for (std::size_t i = 0; i < folds.size(); ++i) {
    ++scans[static_cast<std::size_t>(folds[i])];
    patients[static_cast<std::size_t>(folds[i])].insert(manifest.scans[i].patient_id);
  }
  fmt::print("{} folds of {} scans written to {} ({} duplicate group(s) kept together)\n", o.folds,
             manifest.scans.size(), o.out, result.duplicates.size());
  for (int f = 0; f < o.folds; ++f)
    fmt::print("  fold {}: {} scans, {} patients\n", f, scans[static_cast<std::size_t>(f)],
               patients[static_cast<std::size_t>(f)].size());
  return 0;
}

}  // namespace

CommandAction add_dataset_command(CLI::App& app, const GlobalOptions& global) {
  auto check = std::make_shared<CheckOptions>();
  auto split = std::make_shared<SplitOptions>();
  CLI::App* dataset = app.add_subcommand(
      "dataset",
      "Check a dataset for leakage and label, geometry and intensity problems; make "
      "patient-level folds");
  dataset->require_subcommand(1);

  CLI::App* c = dataset->add_subcommand(
      "check",
      "Report duplicate scans under other patient ids, patients split across folds, label sets "
      "unlike the cohort's, geometry and intensity outliers, label maps off their image's grid. "
      "Exit status 3 when any finding is an error");
  c->footer(
      "Examples:\n"
      "  modir dataset check cohort/manifest.csv --json findings.json\n"
      "  modir dataset check cohort/manifest.csv --split split.csv\n"
      "Exit status: 0 no error findings, 3 error findings (duplicates, split leakage, unreadable "
      "files, label maps off their grid), 1 bad data, 2 bad usage. See docs/dataset.md.");
  c->fallthrough();
  c->add_option("manifest", check->manifest,
                "manifest CSV: patient_id,scan_id,image,labels (paths relative to its folder)")
      ->required();
  c->add_option("--split", check->split,
                "a split file (fold or set column) whose leakage to check: a patient or duplicate "
                "group in more than one fold is an error");
  c->add_option("--json", check->json_out, "write the findings to this JSON file");
  c->add_option("--truth", check->truth,
                "truth.json of a phantom cohort: print precision and recall per finding kind");

  CLI::App* s = dataset->add_subcommand(
      "split",
      "Write K patient-level folds: all scans of a patient, and all patients sharing a "
      "duplicate scan, in one fold; balanced by scan count; the same seed gives the same folds");
  s->footer(
      "Example:\n  modir dataset split cohort/manifest.csv --folds 5 --seed 1 --out split.csv");
  s->fallthrough();
  s->add_option("manifest", split->manifest, "manifest CSV (as for check)")->required();
  s->add_option("--folds", split->folds, "number of folds K (default 5)")
      ->check(CLI::Range(2, 1000));
  s->add_option("--seed", split->seed, "seed of the tie-breaking shuffle (default 1)");
  s->add_option("--out", split->out,
                "split CSV to write: patient_id,scan_id,image,labels,fold (0..K-1), paths "
                "relative to its own folder")
      ->required();
  return [=, &global] {
    if (c->parsed()) return run_check(*check, global);
    return run_split(*split, global);
  };
}

}  // namespace modir::cli
