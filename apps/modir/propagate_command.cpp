// `modir propagate`: a planning CT's structures carried onto a daily CT, in DICOM. Reads both
// scans and the structure set, labels the daily scan's organs with the segmentation model,
// registers guided by the organs whose names the organ name table recognises, warps every
// structure on its own and writes an RT Structure Set on the daily series (clinical/propagation).

#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "commands.h"
#include "memory_limit.h"
#include "modir/clinical/propagation_memory.h"
#include "modir/clinical/propagation_run.h"
#include "modir/core/progress.h"
#include "modir/io/organ_names.h"
#include "modir/learn/segmenter.h"
#include "modir/register/registration_config.h"
#include "pick_options.h"

namespace modir::cli {

namespace {

struct PropagateOptions {
  std::string planning, planning_series;
  std::string daily, daily_series;
  std::string structures;
  std::string out;
  std::string model;
  std::string config;
  std::string names_table;
  bool no_qc = false;
  int pareto = 0;         // 0: one registration; N: a front of N, one picked by `pick`
  reg::PickRules pick;    // default: the knee
  std::string landmarks;  // "auto": match landmarks and guide with them too
  std::string landmark_method = "classical";
  std::string device = "cpu";
  bool dry_run = false;
  std::optional<double> max_memory_mib;
};

int run_propagate(const PropagateOptions& o, const GlobalOptions& global) {
  clinical::PropagationRequest request;
  request.planning = o.planning;
  request.planning_series = o.planning_series;
  request.daily = o.daily;
  request.daily_series = o.daily_series;
  request.structures = o.structures;
  request.out = o.out;
  request.model = o.model;
  if (!o.config.empty()) request.config = reg::read_registration_config(o.config);
  if (!o.names_table.empty()) request.names = io::read_organ_names(o.names_table);
  request.quality_control = !o.no_qc;
  request.pareto = o.pareto;
  request.pick = o.pick;
  request.auto_landmarks = o.landmarks == "auto";
  request.landmark_method = landmarks::parse_match_method(o.landmark_method);
  learn::require_networks();  // the daily organs are predicted
  request.device = learn::parse_device(o.device);
  request.verbose = !global.quiet;
  request.max_memory_mib = o.max_memory_mib;
  if (o.dry_run) {
    const clinical::PropagationMemoryEstimate e = clinical::estimate_propagation_memory(request);
    check_memory_limit(
        e.peak_mib, o.max_memory_mib, true, "this propagation",
        fmt::format("prediction {:.0f} MiB, registration {:.0f} MiB, {} structures "
                    "{:.0f} MiB",
                    e.prediction_mib, e.registration_mib, e.structures, e.structures_mib),
        e.how_to_reduce);
    return 0;
  }
  Progress progress(global.quiet ? ProgressStyle::kQuiet : ProgressStyle::kAuto);
  const clinical::PropagationRun run = clinical::run_propagation(request, progress);

  fmt::print("{:<24} {:<16} {:>7} {:>12} {:>12}\n", "structure", "organ", "guided", "planning ml",
             "daily ml");
  for (const clinical::PropagatedRow& s : run.rows) {
    fmt::print("{:<24} {:<16} {:>7} {:>12.1f} {:>12.1f}\n", s.name, s.organ_class.value_or("-"),
               s.guided ? "yes" : "no", s.planning_ml, s.daily_ml);
  }
  fmt::print("outputs in {}\n", o.out);
  return 0;
}

}  // namespace

CommandAction add_propagate_command(CLI::App& app, const GlobalOptions& global) {
  auto o = std::make_shared<PropagateOptions>();
  CLI::App* command = app.add_subcommand(
      "propagate", "Carry a planning CT's structures (RTSTRUCT) onto a daily CT, in DICOM");
  command->add_option("--planning", o->planning, "planning CT: DICOM folder or image")->required();
  command->add_option("--structures", o->structures, "the planning RT Structure Set")->required();
  command->add_option("--daily", o->daily, "daily CT: DICOM folder (or image: no RTSTRUCT out)")
      ->required();
  command->add_option("--out", o->out, "new output folder")->required();
  command->add_option("--planning-series", o->planning_series, "planning series UID");
  command->add_option("--daily-series", o->daily_series, "daily series UID");
  command->add_option("--model", o->model, "segmentation model (default: models/pelvis)");
  command->add_option("--config", o->config, "registration config JSON");
  command->add_option("--names-table", o->names_table, "an edited organ name table");
  command
      ->add_option("--landmarks", o->landmarks,
                   "auto: also guide with landmarks modir matches between the scans, weighted by "
                   "confidence (written to DIR/auto_landmarks)")
      ->check(CLI::IsMember({"auto"}));
  command
      ->add_option("--landmark-method", o->landmark_method,
                   "how --landmarks auto matches: classical or learned (models/landmarks)")
      ->capture_default_str();
  command
      ->add_option("--device", o->device,
                   "where the networks run (segmentation, learned landmarks): cpu or cuda; "
                   "the registration runs on the CPU")
      ->capture_default_str();
  command
      ->add_option("--pareto", o->pareto,
                   "compute a front of N trade-offs (DIR/front) and carry the structures with "
                   "the solution the rules below pick, its knee by default (default: one "
                   "registration)")
      ->check(CLI::Range(2, 200));
  add_memory_options(*command, o->dry_run, o->max_memory_mib);
  add_pick_options(*command, o->pick, "Pick rules (with --pareto, as 'modir front pick')");
  command->add_flag("--no-qc", o->no_qc,
                    "skip the daily labels' quality control (3 more predictions); every organ "
                    "the model finds then guides");
  return [o, &global] { return run_propagate(*o, global); };
}

}  // namespace modir::cli
