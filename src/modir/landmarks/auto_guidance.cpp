#include "modir/landmarks/auto_guidance.h"

#include <chrono>

#include "modir/core/error.h"
#include "modir/core/log.h"
#include "modir/landmarks/match_outputs.h"

namespace modir::landmarks {

void check_auto_landmarks_config(const reg::RegistrationConfig& config) {
  if (config.guidance.auto_landmark_weight <= 0) {
    throw usage_error(
        "--landmarks auto guides with landmarks, which guidance.auto_landmark_weight 0 switches "
        "off; drop one of them");
  }
}

double guidance_weight(double confidence) {
  return confidence * confidence;
}

nlohmann::json add_auto_landmarks(reg::RegistrationInputs& inputs,
                                  const std::filesystem::path& folder,
                                  const MatchOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const MatchResult result = match_landmarks(
      inputs.fixed, inputs.moving, inputs.fixed_labels ? &*inputs.fixed_labels : nullptr,
      inputs.moving_labels ? &*inputs.moving_labels : nullptr, options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  nlohmann::json summary = match_summary(result, options, nullptr);
  summary["seconds"] = seconds;
  const MatchCounts& c = result.counts;
  nlohmann::json report = {{"method", match_method_name(options.method)},
                           // Found: every candidate pair (mutual matches past the ratio test,
                           // and the guided search's); used = found - discarded.
                           {"found", c.passed_ratio + c.guided_found},
                           {"used", c.kept},
                           {"discarded",
                            {{"inconsistent_with_neighbours", c.inconsistent},
                             {"labels_disagree", c.label_disagreement},
                             {"beyond_max_pairs", c.beyond_max}}},
                           {"weighted_by", "confidence squared"},
                           {"seconds", seconds},
                           {"matching", summary}};
  if (result.matches.empty()) {
    report["message"] = result.message;
    warn("--landmarks auto found no landmark pairs ({}); registering without them", result.message);
    return report;
  }
  std::filesystem::create_directories(folder);
  write_match_outputs(folder, inputs.fixed, result, summary, nullptr);
  report["folder"] = folder.filename().string();
  PointPairs pairs;
  for (std::size_t i = 0; i < result.matches.size(); ++i) {
    const LandmarkMatch& m = result.matches[i];
    pairs.ids.push_back(match_id(i));
    pairs.fixed.push_back(m.fixed);
    pairs.moving.push_back(m.moving);
    pairs.weights.push_back(guidance_weight(m.confidence));
  }
  inputs.landmarks = std::move(pairs);
  inputs.automatic_landmarks = true;
  return report;
}

}  // namespace modir::landmarks
