#pragma once

#include <vector>

#include "modir/dataset/finding.h"
#include "modir/dataset/scan_summary.h"

namespace modir::dataset {

/// Grids compared with the cohort (medians and majorities over readable scans):
/// - `label_grid` (error): the label map's grid is not its image's (size, spacing, origin or
///   direction differ), so voxel i of one is not voxel i of the other;
/// - `spacing_outlier` (warning): a voxel spacing more than 25% from the cohort median on an axis;
/// - `orientation_outlier` (warning): another axis orientation (e.g. RAS) than most scans;
/// - `truncated_fov` (warning): a physical extent along a world axis below 85% of the cohort's
///   upper quartile, or the body cut by the in-plane field of view more than the cohort's scans
///   are.
std::vector<Finding> geometry_findings(const std::vector<ScanSummary>& scans);

}  // namespace modir::dataset
