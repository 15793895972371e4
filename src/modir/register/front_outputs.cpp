#include "modir/register/front_outputs.h"

#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "modir/core/version.h"
#include "modir/evaluate/landmark_error.h"
#include "modir/evaluate/overlap.h"
#include "modir/io/output_file.h"
#include "modir/optimize/pareto/dominance.h"
#include "modir/optimize/pareto/hypervolume.h"
#include "modir/register/result_outputs.h"
#include "modir/register/transform_file.h"
#include "modir/transform/jacobian.h"
#include "modir/transform/warp_labels.h"

namespace modir::reg {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json truth_json(const DisplacementField& u, const FrontTruth& truth) {
  json dice = json::object();
  for (const auto& o :
       evaluate::label_overlaps(truth.fixed_labels, transform::warp_labels(truth.moving_labels, u)))
    dice[std::to_string(o.label)] = o.dice;
  const auto tre =
      evaluate::target_registration_error(u, truth.fixed_landmarks, truth.moving_landmarks);
  return {{"tre_mean_mm", tre.mean_mm},
          {"tre_p95_mm", tre.p95_mm},
          {"tre_max_mm", tre.max_mm},
          {"dice", dice}};
}

}  // namespace

FrontSummary write_front_outputs(const ParetoFront& front, const RegistrationConfig& config,
                                 const RegistrationInputs& inputs, PixelType moving_pixel_type,
                                 const json& inputs_description,
                                 const std::optional<FrontTruth>& truth, const fs::path& out_dir) {
  const auto start = std::chrono::steady_clock::now();
  fs::create_directories(out_dir / "solutions");
  FrontSummary summary;
  const std::size_t n = front.solutions.size();
  std::vector<optimize::pareto::Point> objectives(n);
  std::vector<bool> folded(n, false);
  json solutions = json::array();
  for (std::size_t k = 0; k < n; ++k) {
    const FrontSolution& s = front.solutions[k];
    const RegistrationResult result = solution_result(front, k);
    const DisplacementField u = displacement_on(result, inputs.fixed.geometry());
    const auto jac = transform::jacobian_statistics(transform::jacobian_determinant(u));
    folded[k] = jac.folded_voxels > 0;
    objectives[k] = reported_objectives(front, config, s);
    const std::string file = fmt::format("solutions/solution_{:02d}.json", k);
    io::write_text_file(out_dir / file, transform_to_json(result).dump() + "\n");  // compact
    json organs = json::object();
    for (std::size_t i = 0; i < s.organ_rms_mm.size() && i < front.base.guidance_organs.size(); ++i)
      organs[front.base.guidance_organs[i]] = s.organ_rms_mm[i];
    json j = {{"index", k},
              {"weights",
               {{"image", s.multipliers[0] * config.image.weight},
                {"guidance_multiplier", s.multipliers[1]},
                {"label_weight", s.multipliers[1] * config.guidance.label_weight},
                {"landmark_weight",
                 s.multipliers[1] * landmark_term_weight(config.guidance, inputs)},
                {"deformation_multiplier", s.multipliers[2]},
                {"bending_weight", s.multipliers[2] * config.regularity.bending_weight},
                {"elastic_weight", s.multipliers[2] * config.regularity.elastic_weight}}},
              {"objectives", objectives[k]},
              {"folded_fraction", jac.folded_fraction},
              {"jacobian_min", jac.min},
              {"iterations", s.log.iterations},
              {"seconds", s.log.seconds},
              {"transform", file}};
    if (!s.organ_rms_mm.empty()) j["organ_distance_mm"] = organs;
    if (s.landmark_rms_mm >= 0) j["landmark_rms_mm"] = s.landmark_rms_mm;
    if (truth) j["truth"] = truth_json(u, *truth);
    solutions.push_back(std::move(j));
  }
  // The front: unfolded, mutually non-dominated solutions.
  std::vector<std::size_t> candidates;
  for (std::size_t k = 0; k < n; ++k)
    if (!folded[k]) candidates.push_back(k);
  std::vector<optimize::pareto::Point> candidate_points;
  for (const std::size_t k : candidates) candidate_points.push_back(objectives[k]);
  std::vector<std::size_t> kept;
  for (const std::size_t i : optimize::pareto::non_dominated_indices(candidate_points))
    kept.push_back(candidates[i]);
  for (std::size_t k = 0; k < n; ++k) {
    solutions[k]["dominated"] = std::find(kept.begin(), kept.end(), k) == kept.end() && !folded[k];
    solutions[k]["folded"] = static_cast<bool>(folded[k]);
  }
  json front_json = {{"format", "modir front"},
                     {"modir_version", kVersion},
                     {"solutions", solutions},
                     {"inputs", inputs_description},
                     {"seconds", front.seconds}};
  json names = json::array(), descriptions = json::object();
  for (const auto g : front.objectives) {
    const std::string name = objective::group_name(g);
    names.push_back(name);
    descriptions[name] =
        g == objective::ObjectiveGroup::kImage
            ? fmt::format("image dissimilarity ({}; 0 = identical)", config.image.metric)
        : g == objective::ObjectiveGroup::kGuidance
            ? "RMS guidance error in mm (organ distance maps and landmarks, config weights)"
            : "mean bending (and elastic) energy, 1/mm^2";
  }
  front_json["objectives"] = names;
  front_json["objective_descriptions"] = descriptions;
  if (!kept.empty()) {
    std::vector<optimize::pareto::Point> points;
    for (const std::size_t k : kept) points.push_back(objectives[k]);
    const auto ideal = optimize::pareto::ideal_point(points),
               nadir = optimize::pareto::nadir_point(points);
    const auto normalised = optimize::pareto::normalise(points, ideal, nadir);
    const optimize::pareto::Point reference(ideal.size(), optimize::pareto::kReportReference);
    summary.hypervolume = optimize::pareto::hypervolume(normalised, reference);
    summary.knee = kept[optimize::pareto::knee_index(normalised)];
    summary.non_dominated = kept.size();
    front_json["normalisation"] = {{"ideal", ideal}, {"nadir", nadir}, {"reference", reference}};
  }
  front_json["hypervolume"] = summary.hypervolume;
  front_json["knee"] = summary.knee;
  front_json["non_dominated"] = summary.non_dominated;
  io::write_text_file(out_dir / "front.json", front_json.dump(2) + "\n");
  summary.knee_fiducial_markers =
      write_result_outputs(solution_result(front, summary.knee), inputs, moving_pixel_type, out_dir)
          .fiducial_markers;
  summary.seconds_writing =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace modir::reg
