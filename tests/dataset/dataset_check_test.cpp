#include "modir/dataset/check.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "cohort_fixture.h"
#include "modir/dataset/truth_score.h"
#include "modir/io/image_io.h"

namespace modir::dataset {
namespace {

namespace fs = std::filesystem;

CheckResult check(const fs::path& manifest) {
  Progress quiet(ProgressStyle::kQuiet);
  return check_dataset(read_manifest(manifest), std::nullopt, quiet);
}

std::string describe(const std::vector<Finding>& findings) {
  std::string out;
  for (const Finding& f : findings) out += to_json(f).dump() + "\n";
  return out;
}

class PlantedProblems : public ::testing::TestWithParam<std::uint64_t> {};

// Every planted problem of a detectable kind is found (recall 1), and nearly nothing else.
TEST_P(PlantedProblems, AreAllFoundWithGoodPrecision) {
  const test_cohorts::Cohort& cohort = test_cohorts::troubled(GetParam());
  const CheckResult result = check(cohort.manifest());
  int planted = 0;
  for (const KindScore& s : score_against_truth(result.findings, cohort.truth)) {
    SCOPED_TRACE(s.truth_kind);
    planted += s.true_positives + s.false_negatives;
    EXPECT_EQ(s.false_negatives, 0) << describe(result.findings) << cohort.truth.dump(1);
    EXPECT_GE(s.precision(), 0.8) << describe(result.findings) << cohort.truth.dump(1);
    RecordProperty(s.truth_kind + "_precision", std::to_string(s.precision()));
    RecordProperty(s.truth_kind + "_recall", std::to_string(s.recall()));
  }
  EXPECT_GE(planted, 4);  // the cohort really is troubled
  // Kinds no truth covers are not invented: the phantom writes one grid per image and label map.
  for (const Finding& f : result.findings) {
    EXPECT_NE(f.kind, "label_grid") << f.message;
    EXPECT_NE(f.kind, "unknown_label") << f.message;
    EXPECT_NE(f.kind, "spacing_outlier") << f.message;
    EXPECT_NE(f.kind, "unreadable") << f.message;
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, PlantedProblems, ::testing::Values(1, 2));

TEST(DatasetCheck, CleanCohortHasNoFindings) {
  const CheckResult result = check(test_cohorts::clean().manifest());
  EXPECT_TRUE(result.findings.empty()) << describe(result.findings);
  EXPECT_TRUE(result.duplicates.empty());
  EXPECT_EQ(result.scans.size(), result.manifest.scans.size());
}

TEST(DatasetCheck, LabelMapOffItsGridAndUnreadableFilesAreErrors) {
  const test_cohorts::Cohort& cohort = test_cohorts::clean();
  Manifest manifest = read_manifest(cohort.manifest());
  test::TempDir dir;
  // Scan 0: its label map shifted by one slice; scan 1: its image replaced by text.
  LabelMap labels = io::read_image_as<std::uint16_t>(manifest.scans[0].labels);
  Geometry g = labels.geometry();
  g.origin.z += g.spacing.z;
  labels.set_geometry(g);
  io::write_image(labels, dir / "shifted.nii.gz");
  manifest.scans[0].labels = dir / "shifted.nii.gz";
  std::ofstream(dir / "broken.nii.gz") << "not an image";
  manifest.scans[1].image = dir / "broken.nii.gz";
  Progress quiet(ProgressStyle::kQuiet);
  const CheckResult result = check_dataset(manifest, std::nullopt, quiet);
  std::set<std::pair<std::string, std::string>> errors;
  for (const Finding& f : result.findings)
    if (f.severity == Severity::kError) errors.insert({f.kind, f.patient_ids[0] + f.scan_ids[0]});
  const std::string first = manifest.scans[0].patient_id + manifest.scans[0].scan_id;
  const std::string second = manifest.scans[1].patient_id + manifest.scans[1].scan_id;
  EXPECT_TRUE(errors.count({"label_grid", first})) << describe(result.findings);
  EXPECT_TRUE(errors.count({"unreadable", second})) << describe(result.findings);
  EXPECT_EQ(result.findings.front().severity, Severity::kError);  // errors first
}

}  // namespace
}  // namespace modir::dataset
