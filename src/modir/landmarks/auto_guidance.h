#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

#include "modir/landmarks/matcher.h"
#include "modir/register/registration.h"
#include "modir/register/registration_config.h"

namespace modir::landmarks {

/// `--landmarks auto` needs the landmark term: a usage error when guidance.landmark_weight is 0.
/// Checked before any work starts.
void check_auto_landmarks_config(const reg::RegistrationConfig& config);

/// Landmarks a registration finds for itself (`register` and `propagate --landmarks auto`):
/// matches the inputs' scans (with their label maps when given, so that pairs whose labels
/// disagree are discarded), writes the matching to `folder` (write_match_outputs) so the
/// guidance can be looked at and reused, and puts the pairs into `inputs.landmarks`, each weighted
/// by its confidence. A pair without matches is not an error: a warning says why, and the
/// registration runs without landmarks. Returns report.json's "auto_landmarks": found (every
/// candidate), used, discarded (inconsistent, labels disagree, beyond max), the matcher's counts,
/// seconds, and the message when none were found.
nlohmann::json add_auto_landmarks(reg::RegistrationInputs& inputs,
                                  const std::filesystem::path& folder,
                                  const MatchOptions& options = {});

}  // namespace modir::landmarks
