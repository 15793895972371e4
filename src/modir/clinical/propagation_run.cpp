#include "modir/clinical/propagation_run.h"

#include <optional>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "modir/clinical/propagation_io.h"
#include "modir/clinical/propagation_memory.h"
#include "modir/clinical/structure_picture.h"
#include "modir/core/error.h"
#include "modir/core/log.h"
#include "modir/core/memory_limit.h"
#include "modir/core/sha256.h"
#include "modir/core/version.h"
#include "modir/io/deformable_registration.h"
#include "modir/io/image_io.h"
#include "modir/io/output_file.h"
#include "modir/io/output_folder.h"
#include "modir/io/rtstruct_write.h"
#include "modir/landmarks/auto_guidance.h"
#include "modir/learn/plan.h"
#include "modir/learn/quality_check.h"
#include "modir/learn/segmenter.h"
#include "modir/register/front_file.h"
#include "modir/register/front_outputs.h"
#include "modir/register/input_files.h"
#include "modir/register/pareto_front.h"
#include "modir/register/result_outputs.h"
#include "modir/register/run_report.h"

namespace modir::clinical {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// What front.json records as a propagate front's inputs, so that `modir front export` can rebuild
// any solution's outputs: the two scans as given (with their series), and the guiding label maps
// as this run made them (the daily organs that passed QC and have a planning partner; the
// planning structures as organ classes), written into the front's folder as inputs/.
json front_inputs(const PropagationRequest& o, const std::optional<io::DicomSeries>& planning_series,
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

// The daily scan's organs from the segmentation model, into `inputs`, with the quality control
// `segment predict` runs: organs the model got wrong on this scan (a new scanner, an unusual
// patient) must not steer the registration. Returns the QC report's JSON (null without QC).
json predict_daily_organs(const PropagationRequest& o, const fs::path& model,
                          PropagationInputs& inputs, Progress& progress) {
  const learn::Segmenter segmenter(model, o.device);
  LabelMap daily_labels = segmenter.predict(inputs.daily, learn::PredictOptions{}, progress);
  std::vector<std::string> classes;
  for (const learn::LabelClass& c : segmenter.plan().classes) {
    if (classes.size() <= c.id) classes.resize(c.id + 1);
    classes[c.id] = io::match_organ_name(c.name, o.names).organ_class.value_or("");
  }
  json qc = nullptr;
  if (o.quality_control) {
    const learn::QcReport report = learn::check_prediction(
        segmenter, model, inputs.daily, daily_labels, learn::PredictOptions{}, progress);
    for (const learn::OrganQc& organ : report.organs) {
      if (organ.reliable() || organ.id >= classes.size() || classes[organ.id].empty()) continue;
      warn("QC: the daily scan's {} label is unreliable ({}); it does not guide", organ.name,
           fmt::join(organ.reasons, "; "));
      inputs.unreliable_classes[classes[organ.id]] =
          fmt::format("{}", fmt::join(organ.reasons, "; "));
    }
    qc = learn::qc_to_json(report, o.daily, (o.out / "daily_organs.nii.gz").string(),
                           model.string());
  }
  inputs.daily_labels = std::move(daily_labels);
  inputs.daily_label_classes = std::move(classes);
  return qc;
}

// labels.nii.gz's names, a picture per structure (the daily scan through its centre, the outline
// in its colour) and report.json's entry per structure; a warning for each structure that lies
// partly where the planning scan never reached.
json describe_structures(const PropagationInputs& inputs, const PropagationResult& result,
                         const fs::path& out, json& label_names) {
  label_names = json::array();
  json per_structure = json::array();
  for (std::size_t k = 0; k < result.structures.size(); ++k) {
    const PropagatedStructure& s = result.structures[k];
    label_names.push_back({{"value", k + 1},
                           {"name", s.structure.name},
                           {"roi_number", s.structure.roi_number},
                           {"color", s.structure.color},
                           {"interpreted_type", s.structure.interpreted_type}});
    json picture = nullptr;
    if (const auto png = structure_picture(inputs.daily, s)) {
      const fs::path name = fs::path("pictures") / picture_file_name(k, s.structure.name);
      fs::create_directories(out / "pictures");
      io::write_png(*png, out / name);
      picture = name.string();
    }
    per_structure.push_back(
        {{"name", s.structure.name},
         {"picture", picture},
         {"organ_class", s.organ_class ? json(*s.organ_class) : json()},
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
  return per_structure;
}

// How the structure set's description says the structures were carried.
std::string carried_how(const PropagationRequest& o, const std::optional<reg::PickOutcome>& picked,
                        const PropagationResult& result) {
  const std::string registration =
      picked ? fmt::format("solution {} of a Pareto front of {} registrations ({})",
                           *picked->chosen, o.pareto,
                           o.pick.index ? std::string("chosen by its number")
                           : o.pick.minimise.empty()
                               ? std::string("its knee")
                               : "the smallest " + o.pick.minimise + " within the limits")
             : std::string("one registration");
  const std::string guidance = result.guiding_classes.empty()
                                   ? std::string("the images alone")
                                   : fmt::format("{}", fmt::join(result.guiding_classes, ", "));
  return registration + " guided by " + guidance;
}

// What the registration step leaves behind for the report: the front and the solution picked
// from it, and the automatic landmarks' summary. Filled while the registrar runs.
struct RegistrationRecord {
  std::optional<reg::FrontSummary> front_summary;
  std::optional<reg::PickOutcome> picked;
  json auto_landmarks = nullptr;
};

// How propagate registers: one run, or (with a front) N trade-offs written to DIR/front
// (front.json, solutions, the knee's outputs) for `modir front pick` and `plot`, the structures
// following the solution the rules pick (the knee by default), read back from front.json as
// `modir front pick` reads it. When no solution meets the limits the run stops with the reason,
// and the front stays. With automatic landmarks either also gets the pairs the matcher finds
// between the daily and planning scans, checked against the guiding organs. The returned
// registrar refers to `record` and the series, which must outlive it.
Registrar make_registrar(const PropagationRequest& o,
                         const std::optional<io::DicomSeries>& planning_series,
                         const std::optional<io::DicomSeries>& daily_series,
                         const reg::LevelCallback& on_level, RegistrationRecord& record) {
  const fs::path& out = o.out;
  Registrar registrar = [&o, on_level](const reg::RegistrationInputs& reg_inputs) {
    return reg::register_images(reg_inputs, o.config, on_level);
  };
  if (o.pareto > 0) {
    registrar = [&o, &planning_series, &daily_series, &record, on_level,
                 out](const reg::RegistrationInputs& reg_inputs) {
      reg::FrontConfig front_config = o.config.front;
      front_config.solutions = o.pareto;
      const reg::ParetoFront front =
          reg::compute_pareto_front(reg_inputs, o.config, front_config, on_level);
      record.front_summary = reg::write_front_outputs(
          front, o.config, reg_inputs, PixelType::kInt16,
          front_inputs(o, planning_series, daily_series, reg_inputs, out / "front"), std::nullopt,
          out / "front");
      record.picked = reg::pick_solution(reg::read_front(out / "front"), o.pick);
      if (!record.picked->chosen) {
        throw data_error(
            "{}; the front is kept in {} ('modir front pick' and 'modir front plot' "
            "work on it): rerun with other limits",
            record.picked->reason, (out / "front").string());
      }
      if (o.verbose)
        fmt::print(stderr, "picked solution {}: {}\n", *record.picked->chosen,
                   record.picked->reason);
      return reg::solution_result(front, *record.picked->chosen);
    };
  }
  if (!o.auto_landmarks) return registrar;
  landmarks::MatchOptions match_options;
  match_options.method = o.landmark_method;
  match_options.device = o.device;
  return [inner = std::move(registrar), &record, out,
          match_options](const reg::RegistrationInputs& reg_inputs) {
    reg::RegistrationInputs with = reg_inputs;
    record.auto_landmarks =
        landmarks::add_auto_landmarks(with, out / "auto_landmarks", match_options);
    return inner(with);
  };
}

// The RT Structure Set of the propagated structures on the daily series, and across frames of
// reference the Deformable Spatial Registration that carried them; a warning instead when the
// daily scan is no DICOM series.
void write_dicom_outputs(const PropagationRequest& o, const io::RtStructureSet& set,
                         const Scan& planning, const Scan& daily, const PropagationResult& result,
                         const std::optional<reg::PickOutcome>& picked) {
  if (!daily.series) {
    warn(
        "the daily scan is not a DICOM series, so no RT Structure Set was written (labels.nii.gz "
        "holds the propagated structures)");
    return;
  }
  const io::RtStructureSetText text = propagated_set_text(
      set, o.structures, planning, o.planning, *daily.series, carried_how(o, picked, result));
  io::write_rtstruct(propagated_structures(result), *daily.series, text,
                     o.out / "RS_propagated.dcm");
  if (planning.series &&
      planning.series->frame_of_reference_uid != daily.series->frame_of_reference_uid) {
    io::RegistrationText registration;
    registration.label = "MODIR_PROPAGATE";
    registration.description = "daily x to planning x + u(x), by modir " + std::string(kVersion);
    io::write_deformable_registration(result.displacement, *daily.series, *planning.series,
                                      registration, o.out / "REG_deformable.dcm");
  }
}

// report.json: the inputs with their checksums (so that `modir review` and `modir report` show
// these scans only while they are the bytes this run read), the guidance, the registration (the
// front and the pick), the daily organs' QC and one entry per structure.
json propagation_report(const PropagationRequest& o, const fs::path& model,
                        const PropagationInputs& inputs, const PropagationResult& result,
                        const RegistrationRecord& record, const json& qc,
                        const json& per_structure) {
  const json registration = record.front_summary
                                ? json{{"front", "front/front.json"},
                                       {"solutions", o.pareto},
                                       {"non_dominated", record.front_summary->non_dominated},
                                       {"knee", record.front_summary->knee},
                                       {"picked", *record.picked->chosen},
                                       {"rule", reg::rules_json(o.pick)},
                                       {"reason", record.picked->reason}}
                                : json{{"front", nullptr}, {"rule", {{"rule", "single run"}}}};
  return {
      {"modir_version", kVersion},
      {"command", "propagate"},
      {"planning", o.planning},
      {"daily", o.daily},
      {"structures_file", o.structures},
      {"inputs",
       {{"planning", {{"path", o.planning}, {"sha256", sha256_of_path(o.planning)}}},
        {"daily", {{"path", o.daily}, {"sha256", sha256_of_path(o.daily)}}},
        {"structures", {{"path", o.structures}, {"sha256", sha256_of_path(o.structures)}}}}},
      {"model", model.string()},
      {"guiding_organs", result.guiding_classes},
      {"auto_landmarks", record.auto_landmarks},
      {"registration", registration},
      {"daily_label_qc",
       qc.is_null() ? json(nullptr)
                    : json(learn::qc_path_for(o.out / "daily_organs.nii.gz").filename().string())},
      {"unreliable_daily_organs", inputs.unreliable_classes},
      {"structures", per_structure},
      {"levels", reg::levels_to_json(result.registration.levels)}};
}

}  // namespace

PropagationRun run_propagation(const PropagationRequest& o, Progress& progress) {
  // Rules that cannot apply are refused before minutes of registration, not after.
  if (reg::any_rule(o.pick) && o.pareto == 0) {
    throw usage_error(
        "--knee, --minimise and --max-* pick one solution of a front: add --pareto N");
  }
  reg::check_rule_consistency(o.pick);
  const fs::path& out = o.out;
  if (fs::exists(out) && !(fs::is_directory(out) && fs::is_empty(out))) {
    throw usage_error("'{}' exists and is not empty; propagate writes into a new folder",
                      out.string());
  }
  if (o.auto_landmarks) landmarks::check_auto_landmarks_config(o.config);
  const io::RtStructureSet set = io::read_rtstruct(o.structures);
  const PropagationMemoryEstimate memory = estimate_propagation_memory(o, set);
  refuse_over_memory_limit(memory.peak_mib, o.max_memory_mib, "this propagation",
                           memory.how_to_reduce, o.max_memory_name);
  io::OutputFolder folder(out);  // removed again on failure or Ctrl-C; locked against a second run

  progress.begin_phase("reading", 1);
  Scan planning =
      read_scan(o.planning, o.planning_series, "--planning-series", set.referenced_series_uid);
  Scan daily = read_scan(o.daily, o.daily_series, "--daily-series");
  progress.end_phase();

  // Every structure rasterised on its own, on the planning grid; the daily scan's organs.
  PropagationInputs inputs;
  add_planning_structures(set, planning, inputs, progress);
  inputs.daily = daily.image;
  const fs::path model = o.model.empty() ? learn::shipped_model("pelvis") : o.model;
  const json qc = predict_daily_organs(o, model, inputs, progress);
  inputs.planning = std::move(planning.image);

  const reg::LevelCallback on_level = [&o](const reg::LevelLog& log) {
    if (o.verbose)
      fmt::print(stderr, "{} level {}: {} iterations\n", log.stage, log.level + 1, log.iterations);
  };
  RegistrationRecord record;
  const PropagationResult result =
      propagate(inputs, o.config, o.names, on_level,
                make_registrar(o, planning.series, daily.series, on_level, record));

  progress.begin_phase("writing", 1);
  fs::create_directories(out);
  io::write_displacement_field(result.displacement, out / "displacement.nii.gz");
  io::write_image(*inputs.daily_labels, out / "daily_organs.nii.gz");
  if (!qc.is_null())
    io::write_text_file(learn::qc_path_for(out / "daily_organs.nii.gz"), qc.dump(1) + "\n");
  io::write_image(propagated_label_map(result), out / "labels.nii.gz");
  json label_names;
  const json per_structure = describe_structures(inputs, result, out, label_names);
  io::write_text_file(out / "labels.json", json({{"labels", label_names}}).dump(2) + "\n");
  write_dicom_outputs(o, set, planning, daily, result, record.picked);
  PropagationRun run;
  run.report = propagation_report(o, model, inputs, result, record, qc, per_structure);
  run.report["estimated_peak_memory_mib"] = memory.peak_mib;
  // The gold markers of a prostate patient's two scans, carried by the field: the check of the
  // carried structures that needs no ground truth (register/run_report.h).
  run.report["fiducial_markers"] =
      reg::fiducial_marker_report(inputs.daily, inputs.planning, result.displacement);
  io::write_text_file(out / "report.json", run.report.dump(2) + "\n");
  progress.end_phase();
  for (const PropagatedStructure& s : result.structures)
    run.rows.push_back({s.structure.name, s.organ_class, s.guided, s.planning_ml, s.daily_ml});
  folder.finish();
  return run;
}

}  // namespace modir::clinical
