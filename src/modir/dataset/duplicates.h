#pragma once

#include <cstddef>
#include <vector>

#include "modir/dataset/finding.h"
#include "modir/dataset/scan_summary.h"

namespace modir::dataset {

/// When two scans count as the same acquisition (docs/dataset.md explains the values).
struct DuplicateThresholds {
  double min_ncc = 0.98;         ///< correlation of the smoothed intensities where they overlap
  double min_detail_ncc = 0.97;  ///< correlation of the detail inside the body
  double min_overlap = 0.5;      ///< overlap as a fraction of the smaller scan
};

/// Scans that are one acquisition filed more than once, under two or more patient ids.
struct DuplicateGroup {
  std::vector<std::size_t> scans;  ///< indices into the summaries, ascending
  bool exact = false;              ///< every member has the same grid and voxel values
  double min_ncc = 1.0;            ///< weakest link of the group
  double min_detail_ncc = 1.0;
};

/// Compares every pair of scans of different patients by fingerprint (or voxel hash) and groups
/// the matches; groups within one patient id are not leakage and are not returned.
std::vector<DuplicateGroup> find_duplicates(const std::vector<ScanSummary>& scans,
                                            const DuplicateThresholds& thresholds = {});

/// One error finding per group.
std::vector<Finding> duplicate_findings(const std::vector<ScanSummary>& scans,
                                        const std::vector<DuplicateGroup>& groups);

}  // namespace modir::dataset
