#pragma once

// The figures of `modir evaluate --json`, assembled once for the command line and the Python
// package: organ overlap and surface distances, the Jacobian, landmark errors, each bone's
// departure from a rigid motion and the field's error against the truth.

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "modir/core/image.h"
#include "modir/evaluate/field_error.h"
#include "modir/evaluate/landmark_error.h"
#include "modir/io/label_names.h"

namespace modir::report {

/// Per nonzero label of either map, ascending: value, name (from `names`, else the number), Dice,
/// HD95, mean surface distance, Hausdorff, volumes, voxel counts, and whether it is missing on a
/// side (surface distances are NaN, written as null, then). The maps must share a grid.
nlohmann::json label_scores(const LabelMap& fixed, const LabelMap& warped,
                            const io::LabelNames& names);

/// Jacobian determinant statistics: min, max, mean, std_log, folded_voxels, folded_fraction.
nlohmann::json jacobian_scores(const DisplacementField& field);

/// TRE summary (count, mean, median, p95, max, initial mean, outside_field) and every point.
nlohmann::json landmark_scores(const evaluate::TargetRegistrationError& tre);

/// Each piece of each bone label of `fixed`: its residual from the best rigid motion of the
/// field over it; {"bones": [...], "worst_rms_mm": null when there is no bone}.
nlohmann::json bone_rigidity_scores(const DisplacementField& field, const LabelMap& fixed,
                                    const std::vector<std::uint16_t>& bone_labels);

/// The field's error against the truth over a region ("fixed labels > 0" or "whole grid").
nlohmann::json field_error_scores(const evaluate::FieldError& error, bool over_body);

}  // namespace modir::report
