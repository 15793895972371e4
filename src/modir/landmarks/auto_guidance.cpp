#include "modir/landmarks/auto_guidance.h"

#include <chrono>

#include "modir/landmarks/match_outputs.h"

namespace modir::landmarks {

AutoLandmarks auto_landmarks(const Image<float>& fixed, const Image<float>& moving,
                             const LabelMap* fixed_labels, const LabelMap* moving_labels,
                             const std::filesystem::path& folder, const MatchOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const MatchResult result = match_landmarks(fixed, moving, fixed_labels, moving_labels, options);
  AutoLandmarks out;
  for (std::size_t i = 0; i < result.matches.size(); ++i) {
    const LandmarkMatch& m = result.matches[i];
    out.pairs.ids.push_back(match_id(i));
    out.pairs.fixed.push_back(m.fixed);
    out.pairs.moving.push_back(m.moving);
    out.pairs.weights.push_back(m.confidence);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  nlohmann::json summary = match_summary(result, options, nullptr);
  summary["seconds"] = seconds;
  const MatchCounts& c = result.counts;
  out.report = {{"method", "classical"},
                // Found: every candidate pair (mutual matches past the ratio test, and the guided
                // search's); used = found - discarded.
                {"found", c.passed_ratio + c.guided_found},
                {"used", c.kept},
                {"discarded",
                 {{"inconsistent_with_neighbours", c.inconsistent},
                  {"labels_disagree", c.label_disagreement},
                  {"beyond_max_pairs", c.beyond_max}}},
                {"weighted_by", "confidence"},
                {"seconds", seconds},
                {"matching", summary}};
  if (!result.message.empty()) out.report["message"] = result.message;
  if (!folder.empty() && !result.matches.empty()) {
    std::filesystem::create_directories(folder);
    write_match_outputs(folder, fixed, result, summary, nullptr);
    out.report["folder"] = folder.filename().string();
  }
  return out;
}

}  // namespace modir::landmarks
