#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

#include "modir/core/image.h"
#include "modir/core/point_set.h"
#include "modir/landmarks/matcher.h"

namespace modir::landmarks {

/// Landmarks a registration finds for itself (`register --landmarks auto`).
struct AutoLandmarks {
  /// The pairs to guide with, weighted by confidence; empty when none were found.
  PointPairs pairs;
  /// For report.json: found (candidates), used, discarded (inconsistent, labels disagree), the
  /// matcher's counts, seconds, and the message when none were found.
  nlohmann::json report;
};

/// Matches the scans (with their label maps when given, so that pairs whose labels disagree are
/// discarded) and, when `folder` is not empty, writes the matching there (write_match_outputs) so
/// that the guidance can be looked at and reused. Never throws for a pair without matches: the
/// registration then runs without landmarks and the report says why.
AutoLandmarks auto_landmarks(const Image<float>& fixed, const Image<float>& moving,
                             const LabelMap* fixed_labels, const LabelMap* moving_labels,
                             const std::filesystem::path& folder, const MatchOptions& options = {});

}  // namespace modir::landmarks
