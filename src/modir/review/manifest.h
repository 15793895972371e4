#pragma once

// What the review page is told about a folder before it loads any volume.

#include <nlohmann/json.hpp>

#include "modir/review/review_folder.h"
#include "modir/review/review_volumes.h"

namespace modir::review {

/// The folder as JSON for the page: its kind, which volumes exist (and why not), the label
/// values with names and colours, the result's Jacobian summary, and for a front its objectives,
/// solutions (with the truth's TRE and Dice when the run was scored) and the recorded choice.
/// No file paths and no patient identifiers: the page names volumes "fixed", "warped", ...
nlohmann::json folder_manifest(const ReviewFolder& folder, VolumeSource& volumes);

}  // namespace modir::review
