#include "modir/register/run_report.h"

#include "modir/core/log.h"
#include "modir/core/parallel.h"
#include "modir/core/version.h"
#include "modir/evaluate/fiducial_markers.h"
#include "modir/register/objective_values.h"
#include "modir/register/result_outputs.h"

namespace modir::reg {

using nlohmann::json;

namespace {

// The guidance section. Components left out of guidance are warned about: they are often a
// segmentation's stray islands, but may be real separate pieces the user meant to guide with
// (guidance.min_component_fraction 0 keeps them).
json guidance_report(const RegistrationResult& result, const RegistrationInputs& inputs,
                     double min_fraction) {
  json islands = json::object();
  for (const IgnoredIslands& i : result.guidance_islands) {
    islands[i.organ] = {{"fixed_ml", i.fixed_ml}, {"moving_ml", i.moving_ml}};
    warn(
        "label guidance: components of label {} smaller than {:g} of its largest were left "
        "out: {:.1f} ml on the fixed labels, {:.1f} ml on the moving labels",
        i.organ, min_fraction, i.fixed_ml, i.moving_ml);
  }
  json cut_off = json::object();
  for (const CutOffOrgan& c : result.guidance_cut_off) {
    cut_off[c.organ] = {{"by_fixed_scan", c.fixed},
                        {"by_moving_scan", c.moving},
                        {"band_left_out", c.band_left_out}};
  }
  return {{"labels", inputs.fixed_labels.has_value()},
          {"organs", result.guidance_organs},
          {"islands_left_out", islands},
          {"cut_off_by_field_of_view", cut_off},
          {"landmark_pairs", inputs.landmarks ? inputs.landmarks->ids.size() : 0}};
}

// The overlap section; a moving scan that covers little of the fixed one is said.
json overlap_report(const RegistrationResult& result) {
  if (result.overlap_after_affine < 0.5) {
    warn(
        "the moving scan covers only {:.0f}% of the fixed scan after the affine stages: image "
        "terms act only where both scans have data, and elsewhere the field comes from the "
        "guidance and the regulariser alone",
        100.0 * result.overlap_after_affine);
  }
  return {{"initial", result.overlap_initial}, {"after_affine", result.overlap_after_affine}};
}

// Where the image terms counted, and why the body outline was not used where it was not (an MR
// fixed scan: noted, not warned, since image.mask "body" is the default).
json image_mask_report(const RegistrationResult& result) {
  json out = {{"source", result.image_mask_source},
              {"share_of_fixed_grid", result.image_mask_share}};
  if (!result.image_mask_note.empty()) out["note"] = result.image_mask_note;
  return out;
}

// The rigidity section: which mask held the bones rigid (null when the penalty was off).
json rigidity_report(const RegistrationResult& result) {
  if (!result.rigidity) return nullptr;
  const RigidityUsed& r = *result.rigidity;
  if (!r.skipped.empty()) {
    warn("rigidity penalty off: {}", r.skipped);
    return {{"mask", nullptr}, {"skipped", r.skipped}};
  }
  return {{"mask", r.source},
          {"volume_ml", r.volume_ml},
          {"pieces", r.pieces},
          {"small_pieces_left_out_ml", r.left_out_ml}};
}

// The sections every report opens with, in report.json's order.
json report_head(const RegistrationResult& result, const RegistrationInputs& inputs,
                 const RegistrationConfig& config, const RunContext& context,
                 bool with_label_pairing) {
  json report = {{"modir_version", kVersion},
                 {"command", context.command},
                 {"inputs", context.inputs}};
  if (with_label_pairing) report["label_pairing"] = context.label_pairing;
  report["config"] = to_json(config);
  report["model"] = result.model;
  report["guidance"] = guidance_report(result, inputs, config.guidance.min_component_fraction);
  report["auto_landmarks"] = context.auto_landmarks;
  report["label_qc"] = context.label_qc;
  report["fiducial_markers"] = context.fiducial_markers;
  report["rigidity"] = rigidity_report(result);
  report["overlap"] = overlap_report(result);
  report["image_mask"] = image_mask_report(result);
  report["levels"] = levels_to_json(result.levels);
  return report;
}

}  // namespace

json fiducial_marker_report(const Image<float>& fixed, const Image<float>& moving,
                            const DisplacementField& displacement) {
  const evaluate::MarkerPairOptions options;
  const evaluate::FiducialMarkerCheck check =
      evaluate::check_fiducial_markers(fixed, moving, displacement, options);
  if (check.fixed_markers.empty() && check.moving_markers.empty()) return nullptr;
  const auto xyz = [](const Vec3d& p) { return json::array({p.x, p.y, p.z}); };
  json pairs = json::array();
  for (const evaluate::MarkerPair& p : check.pairs) {
    pairs.push_back({{"fixed_mm", xyz(p.fixed)},
                     {"moving_mm", xyz(p.moving)},
                     {"mapped_mm", xyz(p.mapped)},
                     {"residual_mm", p.residual_mm},
                     {"initial_mm", p.initial_mm}});
    if (p.residual_mm > options.off_mm) {
      warn(
          "fiducial markers: the field carries the fixed scan's marker at ({:.1f}, {:.1f}, "
          "{:.1f}) mm {:.1f} mm from its partner in the moving scan (more than {:g} mm): the "
          "registration is off around it",
          p.fixed.x, p.fixed.y, p.fixed.z, p.residual_mm, options.off_mm);
    }
  }
  if (check.unpaired_fixed > 0 || check.unpaired_moving > 0) {
    warn(
        "fiducial markers: {} of the fixed scan's {} and {} of the moving scan's {} small dense "
        "objects found no partner within {:g} mm of where the field carries them (a marker "
        "missing from one scan, a clip, or a registration off by that much)",
        check.unpaired_fixed, check.fixed_markers.size(), check.unpaired_moving,
        check.moving_markers.size(), options.pair_within_mm);
  }
  return {{"fixed_found", check.fixed_markers.size()},
          {"moving_found", check.moving_markers.size()},
          {"paired", check.pairs.size()},
          {"unpaired_fixed", check.unpaired_fixed},
          {"unpaired_moving", check.unpaired_moving},
          {"mean_residual_mm", check.mean_residual_mm},
          {"max_residual_mm", check.max_residual_mm},
          {"off_above_mm", options.off_mm},
          {"off", check.off},
          {"pairs", pairs}};
}

json registration_report(const RegistrationResult& result, const RegistrationInputs& inputs,
                         const RegistrationConfig& config,
                         const transform::JacobianStatistics& j, const RunContext& context) {
  json report = report_head(result, inputs, config, context, /*with_label_pairing=*/true);
  // The front's objectives, same definitions, so a single run can be placed among them.
  report["objectives"] =
      result.levels.empty()
          ? json::object()
          : objectives_to_json(objective_values(result.levels.back().end_terms));
  report["timings_s"] = {{"reading", context.seconds_reading},
                         {"registration", result.seconds},
                         {"writing", context.seconds_writing},
                         {"total", context.seconds_total}};
  report["peak_memory_mib"] = peak_memory_mib();
  if (context.estimated_peak_memory_mib >= 0)
    report["estimated_peak_memory_mib"] = context.estimated_peak_memory_mib;
  report["threads"] = thread_count();
  report["jacobian"] = {{"min", j.min},
                        {"max", j.max},
                        {"mean", j.mean},
                        {"std_log", j.std_log},
                        {"folded_voxels", j.folded_voxels},
                        {"folded_fraction", j.folded_fraction}};
  return report;
}

json front_report(const ParetoFront& front, const FrontSummary& summary,
                  const RegistrationInputs& inputs, const RegistrationConfig& config,
                  const RunContext& context) {
  json report = report_head(front.base, inputs, config, context, /*with_label_pairing=*/false);
  // The knee's markers: its outputs are the ones written beside front.json.
  report["fiducial_markers"] = summary.knee_fiducial_markers;
  report["front"] = {{"runs", front.solutions.size()},
                     {"non_dominated", summary.non_dominated},
                     {"hypervolume", summary.hypervolume},
                     {"knee", summary.knee},
                     {"seconds", front.seconds}};
  report["timings_s"] = {{"reading", context.seconds_reading},
                         {"front", front.seconds},
                         {"writing", summary.seconds_writing},
                         {"total", context.seconds_total}};
  report["peak_memory_mib"] = peak_memory_mib();
  if (context.estimated_peak_memory_mib >= 0)
    report["estimated_peak_memory_mib"] = context.estimated_peak_memory_mib;
  report["threads"] = thread_count();
  return report;
}

}  // namespace modir::reg
