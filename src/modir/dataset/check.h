#pragma once

#include <filesystem>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "modir/core/progress.h"
#include "modir/dataset/duplicates.h"
#include "modir/dataset/finding.h"
#include "modir/dataset/manifest.h"
#include "modir/dataset/scan_summary.h"
#include "modir/dataset/split.h"

namespace modir::dataset {

/// The outcome of checking a manifest: every scan's summary, the duplicate groups, the units a
/// split must keep together, and the findings (sorted, errors first).
struct CheckResult {
  Manifest manifest;
  std::vector<ScanSummary> scans;  ///< parallel to manifest.scans
  std::vector<DuplicateGroup> duplicates;
  std::vector<std::size_t> units;
  std::vector<Finding> findings;

  std::size_t count(Severity severity) const;
};

/// Reads every scan of the manifest (progress per scan) and finds duplicate groups; the
/// minimum `modir dataset split` needs.
CheckResult summarise_dataset(const Manifest& manifest, Progress& progress);

/// Runs every check: unreadable files, duplicates, label sets, geometry, intensities, and with
/// `split` the leakage of that split.
CheckResult check_dataset(const Manifest& manifest, const std::optional<Split>& split,
                          Progress& progress);

/// The findings and counts as JSON (see docs/dataset.md).
nlohmann::json to_json(const CheckResult& result);

}  // namespace modir::dataset
