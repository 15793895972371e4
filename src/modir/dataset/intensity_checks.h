#pragma once

#include <vector>

#include "modir/dataset/finding.h"
#include "modir/dataset/scan_summary.h"

namespace modir::dataset {

/// `intensity_outlier` (warning): a scan whose soft-tissue histogram is shifted by more than
/// 15 HU from the cohort's (a calibration or rescale-intercept offset: another scanner), or
/// whose noise is more than 1.5 times the cohort median and 8 HU above it.
std::vector<Finding> intensity_findings(const std::vector<ScanSummary>& scans);

/// `metal` (info): a scan holding 1 ml or more of metal (kMetalHu): a hip replacement, a plate,
/// a rod. Not an error of the collection, but its streaks are appearance a model trained on the
/// cohort learns and one evaluated on it meets.
std::vector<Finding> metal_findings(const std::vector<ScanSummary>& scans);

/// Each scan's histogram shift (HU) relative to the cohort (0 for unreadable scans).
std::vector<double> intensity_offsets(const std::vector<ScanSummary>& scans);

}  // namespace modir::dataset
