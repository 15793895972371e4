#include "modir/report/evaluation.h"

#include <algorithm>

#include <fmt/format.h>

#include "modir/core/error.h"
#include "modir/io/label_map_io.h"
#include "modir/io/organ_names.h"

#include "modir/evaluate/overlap.h"
#include "modir/evaluate/rigidity.h"
#include "modir/evaluate/surface_distance.h"
#include "modir/transform/jacobian.h"

namespace modir::report {

using nlohmann::json;

json label_scores(const LabelMap& fixed, const LabelMap& warped, const io::LabelNames& names) {
  const std::vector<evaluate::LabelOverlap> overlaps = evaluate::label_overlaps(fixed, warped);
  const std::vector<evaluate::SurfaceDistance> surfaces =
      evaluate::surface_distances(fixed, warped);
  json labels = json::array();
  for (std::size_t l = 0; l < overlaps.size(); ++l) {
    const evaluate::LabelOverlap& v = overlaps[l];
    const evaluate::SurfaceDistance& s = surfaces[l];  // both ascending over the same labels
    const auto named = names.find(v.label);
    labels.push_back({
        {"value", v.label},
        {"name", named == names.end() ? std::to_string(v.label) : named->second.name},
        {"dice", v.dice},
        {"hd95_mm", s.hd95_mm},
        {"mean_surface_distance_mm", s.mean_surface_mm},
        {"hausdorff_mm", s.hausdorff_mm},
        {"fixed_ml", v.fixed_ml},
        {"warped_ml", v.warped_ml},
        {"fixed_voxels", v.fixed_voxels},
        {"warped_voxels", v.warped_voxels},
        {"common_voxels", v.common_voxels},
        {"fixed_surface_voxels", s.fixed_surface_voxels},
        {"warped_surface_voxels", s.warped_surface_voxels},
        {"missing_in_fixed", s.missing_in_fixed},
        {"missing_in_warped", s.missing_in_warped},
    });
  }
  return labels;
}

ComparedMaps compare_by_name(const LabelMap& fixed, LabelMap warped,
                             const io::LabelNames& fixed_names, const std::string& fixed_source,
                             const io::LabelNames& warped_names, const std::string& warped_source,
                             const std::string& fixed_file, const std::string& warped_file) {
  ComparedMaps out;
  out.names = fixed_names.empty() ? warped_names : fixed_names;
  if (fixed_names.empty() || warped_names.empty() || fixed_source == warped_source) {
    out.warped = std::move(warped);
    return out;
  }
  io::LabelPairing p = io::pair_labels_by_name(fixed_names, warped_names, io::default_organ_names());
  if (p.other_to_reference.empty()) {
    throw data_error(
        "no label of '{}' (names from {}) pairs by name with a label of '{}' (names from {})",
        warped_file, warped_source, fixed_file, fixed_source);
  }
  if (!p.renumbered) {
    out.warped = std::move(warped);
    return out;
  }
  std::vector<bool> in_warped(65536, false), in_fixed(65536, false);
  for (const std::uint16_t v : warped.buffer()) in_warped[v] = true;
  for (const std::uint16_t v : fixed.buffer()) in_fixed[v] = true;
  std::uint16_t next = fixed_names.rbegin()->first;
  for (std::size_t v = 0; v < in_fixed.size(); ++v)
    if (in_fixed[v]) next = std::max(next, static_cast<std::uint16_t>(v));
  for (std::size_t v = 1; v < in_warped.size() && next < 65535; ++v) {
    const auto value = static_cast<std::uint16_t>(v);
    if (!in_warped[v] || p.other_to_reference.count(value)) continue;
    p.other_to_reference[value] = ++next;
    const auto named = warped_names.find(value);
    out.names[next] = named != warped_names.end()
                          ? named->second
                          : io::LabelName{fmt::format("{} (warped)", value), {}, {}, ""};
  }
  out.warped = io::renumber_labels(warped, p.other_to_reference);
  out.pairing = {{"by", "name"},
                 {"warped_to_fixed", p.other_to_reference},
                 {"unpaired_fixed", p.unpaired_reference},
                 {"unpaired_warped", p.unpaired_other},
                 {"lines", p.lines}};
  return out;
}

json jacobian_scores(const DisplacementField& field) {
  const transform::JacobianStatistics j =
      transform::jacobian_statistics(transform::jacobian_determinant(field));
  return {{"min", j.min},
          {"max", j.max},
          {"mean", j.mean},
          {"std_log", j.std_log},
          {"folded_voxels", j.folded_voxels},
          {"folded_fraction", j.folded_fraction}};
}

json landmark_scores(const evaluate::TargetRegistrationError& tre) {
  json points = json::array();
  for (const evaluate::LandmarkError& p : tre.points) {
    points.push_back({{"id", p.id},
                      {"error_mm", p.error_mm},
                      {"initial_mm", p.initial_mm},
                      {"inside_field", p.inside_field},
                      {"fixed_mm", {p.fixed.x, p.fixed.y, p.fixed.z}},
                      {"moving_mm", {p.moving.x, p.moving.y, p.moving.z}},
                      {"mapped_mm", {p.mapped.x, p.mapped.y, p.mapped.z}}});
  }
  return {{"count", tre.points.size()},
          {"mean_mm", tre.mean_mm},
          {"median_mm", tre.median_mm},
          {"p95_mm", tre.p95_mm},
          {"max_mm", tre.max_mm},
          {"initial_mean_mm", tre.initial_mean_mm},
          {"outside_field", tre.outside_field},
          {"points", points}};
}

json bone_rigidity_scores(const DisplacementField& field, const LabelMap& fixed,
                          const std::vector<std::uint16_t>& bone_labels) {
  const std::vector<evaluate::BoneRigidity> bones =
      evaluate::bone_rigidity(field, fixed, bone_labels);
  json out = json::array();
  double worst = 0.0;
  for (const evaluate::BoneRigidity& b : bones) {
    worst = std::max(worst, b.fit.rms_mm);
    out.push_back({{"label", b.label},
                   {"piece", b.component},
                   {"volume_ml", b.volume_ml},
                   {"centroid_mm", {b.centroid_mm.x, b.centroid_mm.y, b.centroid_mm.z}},
                   {"residual_rms_mm", b.fit.rms_mm},
                   {"residual_max_mm", b.fit.max_mm},
                   {"rotation_deg", b.fit.rotation_deg}});
  }
  return {{"bones", out}, {"worst_rms_mm", bones.empty() ? json(nullptr) : json(worst)}};
}

json field_error_scores(const evaluate::FieldError& e, bool over_body) {
  return {{"region", over_body ? "fixed labels > 0" : "whole grid"},
          {"voxels", e.voxels},
          {"mean_mm", e.mean_mm},
          {"p95_mm", e.p95_mm},
          {"max_mm", e.max_mm}};
}

}  // namespace modir::report
