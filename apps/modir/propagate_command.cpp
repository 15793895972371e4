// `modir propagate`: a planning CT's structures carried onto a daily CT, in DICOM. Reads both
// scans and the structure set, labels the daily scan's organs with the segmentation model,
// registers guided by the organs whose names the organ name table recognises, warps every
// structure on its own and writes an RT Structure Set on the daily series (clinical/propagation).

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "modir/clinical/propagation.h"
#include "modir/clinical/propagation_io.h"
#include "modir/clinical/structure_picture.h"
#include "modir/core/error.h"
#include "modir/core/log.h"
#include "modir/core/progress.h"
#include "modir/core/sha256.h"
#include "modir/core/version.h"
#include "modir/io/contour_raster.h"
#include "modir/io/deformable_registration.h"
#include "modir/io/dicom_series.h"
#include "modir/io/image_io.h"
#include "modir/io/organ_names.h"
#include "modir/io/output_file.h"
#include "modir/io/output_folder.h"
#include "modir/io/rtstruct.h"
#include "modir/io/rtstruct_labels.h"
#include "modir/io/rtstruct_write.h"
#include "modir/landmarks/auto_guidance.h"
#include "modir/learn/organ_statistics.h"
#include "modir/learn/plan.h"
#include "modir/learn/quality_check.h"
#include "modir/learn/segmenter.h"
#include "modir/register/front_file.h"
#include "modir/register/front_outputs.h"
#include "modir/register/front_pick.h"
#include "modir/register/input_files.h"
#include "modir/register/pareto_front.h"
#include "modir/register/registration_config.h"
#include "modir/register/result_outputs.h"
#include "pick_options.h"

namespace modir::cli {

namespace fs = std::filesystem;

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
};

// What front.json records as a propagate front's inputs, so that `modir front export` can rebuild
// any solution's outputs: the two scans as given (with their series), and the guiding label maps
// as this run made them (the daily organs that passed QC and have a planning partner; the
// planning structures as organ classes), written into the front's folder as inputs/.
nlohmann::json front_inputs(const PropagateOptions& o,
                            const std::optional<io::DicomSeries>& planning_series,
                            const std::optional<io::DicomSeries>& daily_series,
                            const reg::RegistrationInputs& reg_inputs, const fs::path& front_dir) {
  reg::RegistrationPaths paths;
  paths.fixed = o.daily;
  paths.moving = o.planning;
  if (daily_series) paths.fixed_series = daily_series->series_uid;
  if (planning_series) paths.moving_series = planning_series->series_uid;
  if (reg_inputs.fixed_labels && reg_inputs.moving_labels) {
    fs::create_directories(front_dir / "inputs");
    paths.fixed_labels = (front_dir / "inputs" / "daily_guidance_labels.nii.gz").string();
    paths.moving_labels = (front_dir / "inputs" / "planning_guidance_labels.nii.gz").string();
    io::write_image(*reg_inputs.fixed_labels, paths.fixed_labels);
    io::write_image(*reg_inputs.moving_labels, paths.moving_labels);
  }
  return reg::describe_inputs(paths);
}

int run_propagate(const PropagateOptions& o, const GlobalOptions& global) {
  // Rules that cannot apply are refused before minutes of registration, not after.
  if (reg::any_rule(o.pick) && o.pareto == 0) {
    throw usage_error(
        "--knee, --minimise and --max-* pick one solution of a front: add --pareto N");
  }
  reg::check_rule_consistency(o.pick);
  const fs::path out(o.out);
  if (fs::exists(out) && !(fs::is_directory(out) && fs::is_empty(out))) {
    throw usage_error("'{}' exists and is not empty; propagate writes into a new folder", o.out);
  }
  io::OutputFolder folder(out);  // removed again on Ctrl-C; locked against a second run
  const io::OrganNameTable names =
      o.names_table.empty() ? io::default_organ_names() : io::read_organ_names(o.names_table);
  const reg::RegistrationConfig config =
      o.config.empty() ? reg::RegistrationConfig{} : reg::read_registration_config(o.config);
  if (o.landmarks == "auto") landmarks::check_auto_landmarks_config(config);
  Progress progress(global.quiet ? ProgressStyle::kQuiet : ProgressStyle::kAuto);

  progress.begin_phase("reading", 1);
  const io::RtStructureSet set = io::read_rtstruct(o.structures);
  clinical::Scan planning = clinical::read_scan(o.planning, o.planning_series, "--planning-series",
                                                set.referenced_series_uid);
  clinical::Scan daily = clinical::read_scan(o.daily, o.daily_series, "--daily-series");
  progress.end_phase();

  // Every structure rasterised on its own, on the planning grid.
  clinical::PropagationInputs inputs;
  clinical::add_planning_structures(set, planning, inputs, progress);

  // The daily scan's organs, from the segmentation model.
  const fs::path model = o.model.empty() ? learn::shipped_model("pelvis") : fs::path(o.model);
  const learn::Segmenter segmenter(model, learn::Device::kCpu);
  LabelMap daily_labels = segmenter.predict(daily.image, learn::PredictOptions{}, progress);
  std::vector<std::string> classes;
  for (const learn::LabelClass& c : segmenter.plan().classes) {
    if (classes.size() <= c.id) classes.resize(c.id + 1);
    const io::OrganNameMatch m = io::match_organ_name(c.name, names);
    classes[c.id] = m.organ_class.value_or("");
  }
  // The daily labels' quality control, as `segment predict` does it: organs the model got
  // wrong on this scan (a new scanner, an unusual patient) must not steer the registration.
  std::optional<nlohmann::json> qc;
  if (!o.no_qc) {
    const learn::QcReport report = learn::check_prediction(
        segmenter, model, daily.image, daily_labels, learn::PredictOptions{}, progress);
    for (const learn::OrganQc& organ : report.organs) {
      if (organ.reliable() || organ.id >= classes.size() || classes[organ.id].empty()) continue;
      warn("QC: the daily scan's {} label is unreliable ({}); it does not guide", organ.name,
           fmt::join(organ.reasons, "; "));
      inputs.unreliable_classes[classes[organ.id]] =
          fmt::format("{}", fmt::join(organ.reasons, "; "));
    }
    qc = learn::qc_to_json(report, o.daily, (out / "daily_organs.nii.gz").string(), model.string());
  }
  inputs.daily_labels = daily_labels;
  inputs.daily_label_classes = classes;
  inputs.planning = std::move(planning.image);
  inputs.daily = daily.image;

  const auto on_level = [&](const reg::LevelLog& log) {
    if (!global.quiet)
      fmt::print(stderr, "{} level {}: {} iterations\n", log.stage, log.level + 1, log.iterations);
  };
  // With --pareto N: a front of N trade-offs, written to DIR/front (front.json, solutions, the
  // knee's outputs) for `modir front pick` and `plot`; the structures follow the solution the
  // rules pick (the knee by default), read back from front.json as `modir front pick` reads it.
  // When no solution meets the limits the run stops with the reason, and the front stays.
  clinical::Registrar registrar;
  std::optional<reg::FrontSummary> front_summary;
  std::optional<reg::PickOutcome> picked;
  if (o.pareto > 0) {
    registrar = [&](const reg::RegistrationInputs& reg_inputs) {
      reg::FrontConfig front_config = config.front;
      front_config.solutions = o.pareto;
      const reg::ParetoFront front =
          reg::compute_pareto_front(reg_inputs, config, front_config, on_level);
      front_summary = reg::write_front_outputs(
          front, config, reg_inputs, PixelType::kInt16,
          front_inputs(o, planning.series, daily.series, reg_inputs, out / "front"), std::nullopt,
          out / "front");
      picked = reg::pick_solution(reg::read_front(out / "front"), o.pick);
      if (!picked->chosen) {
        throw data_error(
            "{}; the front is kept in {} ('modir front pick' and 'modir front plot' "
            "work on it): rerun with other limits",
            picked->reason, (out / "front").string());
      }
      if (!global.quiet)
        fmt::print(stderr, "picked solution {}: {}\n", *picked->chosen, picked->reason);
      return reg::solution_result(front, *picked->chosen);
    };
  }
  // With --landmarks auto: the registration (single or front) also gets the pairs the matcher
  // finds between the daily and planning scans, checked against the guiding organs.
  nlohmann::json auto_report = nullptr;
  if (o.landmarks == "auto") {
    clinical::Registrar inner =
        registrar ? registrar : [&](const reg::RegistrationInputs& reg_inputs) {
          return reg::register_images(reg_inputs, config, on_level);
        };
    registrar = [&, inner](const reg::RegistrationInputs& reg_inputs) {
      reg::RegistrationInputs with = reg_inputs;
      auto_report = landmarks::add_auto_landmarks(with, out / "auto_landmarks");
      return inner(with);
    };
  }
  const clinical::PropagationResult result =
      clinical::propagate(inputs, config, names, on_level, registrar);

  progress.begin_phase("writing", 1);
  fs::create_directories(out);
  io::write_displacement_field(result.displacement, out / "displacement.nii.gz");
  io::write_image(daily_labels, out / "daily_organs.nii.gz");
  if (qc) io::write_text_file(learn::qc_path_for(out / "daily_organs.nii.gz"), qc->dump(1) + "\n");
  io::write_image(clinical::propagated_label_map(result), out / "labels.nii.gz");
  nlohmann::json label_names = nlohmann::json::array();
  nlohmann::json per_structure = nlohmann::json::array();
  for (std::size_t k = 0; k < result.structures.size(); ++k) {
    const clinical::PropagatedStructure& s = result.structures[k];
    label_names.push_back({{"value", k + 1},
                           {"name", s.structure.name},
                           {"roi_number", s.structure.roi_number},
                           {"color", s.structure.color},
                           {"interpreted_type", s.structure.interpreted_type}});
    // A picture per structure: the daily scan through its centre, its outline in its colour.
    nlohmann::json picture = nullptr;
    if (const auto png = clinical::structure_picture(inputs.daily, s)) {
      const fs::path name = fs::path("pictures") / clinical::picture_file_name(k, s.structure.name);
      fs::create_directories(out / "pictures");
      io::write_png(*png, out / name);
      picture = name.string();
    }
    per_structure.push_back(
        {{"name", s.structure.name},
         {"picture", picture},
         {"organ_class", s.organ_class ? nlohmann::json(*s.organ_class) : nlohmann::json()},
         {"guided", s.guided},
         {"why", s.why},
         {"planning_ml", s.planning_ml},
         {"daily_ml", s.daily_ml},
         {"beyond_planning_scan_ml", s.beyond_planning_ml}});
    if (s.beyond_planning_ml >= 0.05) {
      warn(
          "structure '{}': {:.1f} ml lie where the daily scan reaches beyond the planning scan; "
          "not drawn there",
          s.structure.name, s.beyond_planning_ml);
    }
  }
  const std::vector<io::RtStructure> propagated = clinical::propagated_structures(result);
  io::write_text_file(out / "labels.json",
                      nlohmann::json({{"labels", label_names}}).dump(2) + "\n");
  if (daily.series) {
    const std::string how = fmt::format(
        "{} guided by {}",
        picked ? fmt::format("solution {} of a Pareto front of {} registrations ({})",
                             *picked->chosen, o.pareto,
                             o.pick.index ? std::string("chosen by its number")
                             : o.pick.minimise.empty()
                                 ? std::string("its knee")
                                 : "the smallest " + o.pick.minimise + " within the limits")
               : std::string("one registration"),
        result.guiding_classes.empty()
            ? std::string("the images alone")
            : fmt::format("{}", fmt::join(result.guiding_classes, ", ")));
    const io::RtStructureSetText text =
        clinical::propagated_set_text(set, o.structures, planning, o.planning, *daily.series, how);
    io::write_rtstruct(propagated, *daily.series, text, out / "RS_propagated.dcm");
    if (planning.series &&
        planning.series->frame_of_reference_uid != daily.series->frame_of_reference_uid) {
      io::RegistrationText registration;
      registration.label = "MODIR_PROPAGATE";
      registration.description = "daily x to planning x + u(x), by modir " + std::string(kVersion);
      io::write_deformable_registration(result.displacement, *daily.series, *planning.series,
                                        registration, out / "REG_deformable.dcm");
    }
  } else {
    warn(
        "the daily scan is not a DICOM series, so no RT Structure Set was written (labels.nii.gz "
        "holds the propagated structures)");
  }
  const nlohmann::json report = {
      {"modir_version", kVersion},
      {"command", "propagate"},
      {"planning", o.planning},
      {"daily", o.daily},
      {"structures_file", o.structures},
      // The same with checksums, so that `modir review` and `modir report` show these scans
      // only while they are the bytes this run read.
      {"inputs",
       {{"planning", {{"path", o.planning}, {"sha256", sha256_of_path(o.planning)}}},
        {"daily", {{"path", o.daily}, {"sha256", sha256_of_path(o.daily)}}},
        {"structures", {{"path", o.structures}, {"sha256", sha256_of_path(o.structures)}}}}},
      {"model", model.string()},
      {"guiding_organs", result.guiding_classes},
      {"auto_landmarks", auto_report},
      {"registration",
       front_summary ? nlohmann::json{{"front", "front/front.json"},
                                      {"solutions", o.pareto},
                                      {"non_dominated", front_summary->non_dominated},
                                      {"knee", front_summary->knee},
                                      {"picked", *picked->chosen},
                                      {"rule", reg::rules_json(o.pick)},
                                      {"reason", picked->reason}}
                     : nlohmann::json{{"front", nullptr}, {"rule", {{"rule", "single run"}}}}},
      {"daily_label_qc",
       qc ? nlohmann::json(learn::qc_path_for(out / "daily_organs.nii.gz").filename().string())
          : nlohmann::json(nullptr)},
      {"unreliable_daily_organs", inputs.unreliable_classes},
      {"structures", per_structure},
      {"levels", reg::levels_to_json(result.registration.levels)}};
  io::write_text_file(out / "report.json", report.dump(2) + "\n");
  progress.end_phase();

  fmt::print("{:<24} {:<16} {:>7} {:>12} {:>12}\n", "structure", "organ", "guided", "planning ml",
             "daily ml");
  for (const clinical::PropagatedStructure& s : result.structures) {
    fmt::print("{:<24} {:<16} {:>7} {:>12.1f} {:>12.1f}\n", s.structure.name,
               s.organ_class.value_or("-"), s.guided ? "yes" : "no", s.planning_ml, s.daily_ml);
  }
  fmt::print("outputs in {}\n", out.string());
  folder.finish();
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
      ->add_option("--pareto", o->pareto,
                   "compute a front of N trade-offs (DIR/front) and carry the structures with "
                   "the solution the rules below pick, its knee by default (default: one "
                   "registration)")
      ->check(CLI::Range(2, 200));
  add_pick_options(*command, o->pick, "Pick rules (with --pareto, as 'modir front pick')");
  command->add_flag("--no-qc", o->no_qc,
                    "skip the daily labels' quality control (3 more predictions); every organ "
                    "the model finds then guides");
  return [o, &global] { return run_propagate(*o, global); };
}

}  // namespace modir::cli
