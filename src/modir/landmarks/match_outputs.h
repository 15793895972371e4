#pragma once

#include <filesystem>
#include <optional>

#include <nlohmann/json.hpp>

#include "modir/core/image.h"
#include "modir/landmarks/matcher.h"

namespace modir::landmarks {

/// How far each match lies from the true correspondence x + u_true(x) (a phantom's ground truth,
/// trilinear in the field), in the matches' order.
std::vector<double> match_errors(const MatchResult& result, const DisplacementField& truth);

/// The summary of a matching: counts, per fixed label, the tolerance used, the message; with
/// errors, their median, 95th percentile, maximum and the share within 3 mm.
nlohmann::json match_summary(const MatchResult& result, const MatchOptions& options,
                             const std::vector<double>* errors);

/// Writes a matching to `folder` (each file atomically): fixed_landmarks.csv and
/// moving_landmarks.csv (id,x,y,z in LPS mm, ids auto_0001.., most confident first: the files
/// `register --fixed-landmarks/--moving-landmarks` read), matches.csv (both positions, confidence,
/// ratio, residual, how found, labels, and error when `errors` is given), summary.json and
/// landmarks.png (three slices of the fixed scan through the matches' centre, every match
/// projected onto them: a dot at the fixed point coloured by confidence, a line toward its moving
/// partner).
void write_match_outputs(const std::filesystem::path& folder, const Image<float>& fixed,
                         const MatchResult& result, const nlohmann::json& summary,
                         const std::vector<double>* errors);

/// The id of the match at `index` in the written files.
std::string match_id(std::size_t index);

}  // namespace modir::landmarks
