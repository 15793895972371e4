#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

#include "modir/landmarks/matcher.h"
#include "modir/register/registration.h"
#include "modir/register/registration_config.h"

namespace modir::landmarks {

/// `--landmarks auto` needs the landmark term: a usage error when guidance.auto_landmark_weight
/// is 0. Checked before any work starts.
void check_auto_landmarks_config(const reg::RegistrationConfig& config);

/// The weight of an automatic pair in the registration's landmark term: its confidence squared.
/// Least squares weighs best by the inverse of each pair's expected squared error, and that
/// inverse grows faster than the confidence: on the development pairs of bench/landmarks (seeds
/// 27-34, scored against the true field) as about its power 1.5 for the classical method (0.39
/// per mm² at confidence 0.16, 2.0 at 0.50, 4.6 at 0.71) and 1.3 for the learned one. Weighted by
/// the confidence itself, the doubtful pairs counted two to three times too much against the
/// confident ones. In registrations of those pairs the squares gave a lower mean TRE than the powers 1 and
/// 1.5 (classical) and 1 (learned) (docs/landmarks.md, "Guiding a registration").
double guidance_weight(double confidence);

/// Landmarks a registration finds for itself (`register` and `propagate --landmarks auto`):
/// matches the inputs' scans (with their label maps when given, so that pairs whose labels
/// disagree are discarded), writes the matching to `folder` (write_match_outputs) so the
/// guidance can be looked at and reused, and puts the pairs into `inputs.landmarks`, each weighted
/// by guidance_weight(confidence), and marks them as automatic (guidance.auto_landmark_weight). A
/// pair without matches is not an error: a warning says why, and the registration runs without
/// landmarks. Returns report.json's "auto_landmarks": found (every candidate), used, discarded
/// (inconsistent, labels disagree, beyond max), the matcher's counts, seconds, and the message
/// when none were found.
nlohmann::json add_auto_landmarks(reg::RegistrationInputs& inputs,
                                  const std::filesystem::path& folder,
                                  const MatchOptions& options = {});

}  // namespace modir::landmarks
