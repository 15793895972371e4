#pragma once

// `modir report`: the figures a physicist files for a registration, in one HTML file that needs
// no server and no network (pictures embedded as PNG, the front as inline SVG).

#include <filesystem>
#include <string>

#include "modir/review/review_folder.h"

namespace modir::review {

/// The report of `folder` as one self-contained HTML document. Sections (each an element with
/// that id): "summary" (what ran, the Jacobian, timings), "structures" (three slices through each
/// organ's centre: the scan, the propagated contours in the organ's colour and the fixed labels'
/// contours in white), "checkerboard" (fixed and warped in 20 mm squares), "jacobian" (the
/// determinant as a colour map through its smallest value, folds in magenta), "front" (for a
/// front: every pair of objectives plotted, knee and choice marked, and the solutions' table) and
/// "metrics" (per organ: volumes and, with fixed labels, Dice). `scratch`: an empty folder for
/// temporary files.
std::string html_report(const ReviewFolder& folder, const std::filesystem::path& scratch);

}  // namespace modir::review
