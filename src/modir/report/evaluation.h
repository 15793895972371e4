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

/// Two label maps to compare organ by organ. When each has names and they number the organs
/// differently (a planning system's structure order against modir's organ numbers), the warped
/// map comes renumbered into the fixed one's values by name; its labels without a partner keep
/// values of their own above the fixed ones, so they show as missing in the fixed map instead of
/// vanishing. `pairing` is null when nothing was renumbered.
struct ComparedMaps {
  LabelMap warped;
  io::LabelNames names;              ///< of the values in both maps after pairing
  nlohmann::json pairing = nullptr;  ///< by, warped_to_fixed, unpaired_fixed/_warped, lines
};
/// `fixed_source`/`warped_source` say where each map's names came from (equal: one numbering);
/// `fixed_file`/`warped_file` name the maps in the error when no organ pairs at all.
ComparedMaps compare_by_name(const LabelMap& fixed, LabelMap warped,
                             const io::LabelNames& fixed_names, const std::string& fixed_source,
                             const io::LabelNames& warped_names, const std::string& warped_source,
                             const std::string& fixed_file, const std::string& warped_file);

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
