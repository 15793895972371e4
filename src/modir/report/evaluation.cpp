#include "modir/report/evaluation.h"

#include <algorithm>

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
