#pragma once

#include <filesystem>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "modir/phantom/cohort.h"
#include "support/test_support.h"

namespace modir::dataset::test_cohorts {

/// A phantom cohort written once per test program (generating one takes seconds).
struct Cohort {
  test::TempDir dir;
  nlohmann::json truth;
  std::filesystem::path manifest() const { return dir / "manifest.csv"; }
};

/// Small troubled cohorts: 4 patients, every kind of trouble likelier than by default but each
/// still a minority (consensus checks compare a scan with the rest), two duplicates.
inline const Cohort& troubled(std::uint64_t seed) {
  static std::map<std::uint64_t, std::unique_ptr<Cohort>> cache;
  auto& slot = cache[seed];
  if (!slot) {
    slot = std::make_unique<Cohort>();
    phantom::CohortOptions o;
    o.seed = seed;
    o.patients = 4;
    o.label_noise = 0.2;
    o.missing_structure = 0.2;
    o.merged_labels = 0.25;
    o.other_scanner = 0.25;
    o.truncated = 0.25;
    o.duplicates = 2;
    Progress quiet(ProgressStyle::kQuiet);
    slot->truth = phantom::write_cohort(o, slot->dir.path(), quiet);
  }
  return *slot;
}

/// A clean cohort: no trouble planted at all.
inline const Cohort& clean() {
  static std::unique_ptr<Cohort> cohort;
  if (!cohort) {
    cohort = std::make_unique<Cohort>();
    phantom::CohortOptions o;
    o.seed = 11;
    o.patients = 3;
    o.label_noise = o.missing_structure = o.merged_labels = o.other_scanner = o.truncated = 0.0;
    o.duplicates = 0;
    Progress quiet(ProgressStyle::kQuiet);
    cohort->truth = phantom::write_cohort(o, cohort->dir.path(), quiet);
  }
  return *cohort;
}

}  // namespace modir::dataset::test_cohorts
