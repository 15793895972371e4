#include "modir/phantom/cohort.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "modir/io/image_io.h"
#include "support/test_support.h"

namespace modir::phantom {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct ManifestRow {
  std::string patient, scan, image, labels;
};

std::vector<ManifestRow> read_manifest(const fs::path& file) {
  std::ifstream stream(file);
  std::string line;
  std::getline(stream, line);
  EXPECT_EQ(line, "patient_id,scan_id,image,labels");
  std::vector<ManifestRow> rows;
  while (std::getline(stream, line)) {
    std::stringstream ss(line);
    ManifestRow r;
    std::getline(ss, r.patient, ',');
    std::getline(ss, r.scan, ',');
    std::getline(ss, r.image, ',');
    std::getline(ss, r.labels, ',');
    rows.push_back(r);
  }
  return rows;
}

std::set<std::uint16_t> labels_present(const LabelMap& labels) {
  return {labels.buffer().begin(), labels.buffer().end()};
}

TEST(Cohort, EveryRecordedIssueIsReallyInTheFiles) {
  test::TempDir dir;
  CohortOptions o;
  o.seed = 4;
  o.patients = 5;
  o.label_noise = 0.4;
  o.missing_structure = 0.4;
  o.merged_labels = 0.4;
  o.other_scanner = 0.4;
  o.truncated = 0.4;
  o.duplicates = 2;
  Progress quiet(ProgressStyle::kQuiet);
  const json truth = write_cohort(o, dir.path(), quiet);

  const auto rows = read_manifest(dir / "manifest.csv");
  std::set<std::string> patients;
  for (const ManifestRow& r : rows) {
    patients.insert(r.patient);
    EXPECT_TRUE(fs::exists(dir / r.image)) << r.image;
    EXPECT_TRUE(fs::exists(dir / r.labels)) << r.labels;
  }
  EXPECT_EQ(patients.size(), 7u);  // 5 patients and 2 duplicate ids
  EXPECT_GE(rows.size(), 5u * 2 + 2);
  EXPECT_LE(rows.size(), 5u * 4 + 2);

  std::set<std::string> kinds;
  for (const json& issue : truth["issues"]) {
    const std::string kind = issue["kind"];
    kinds.insert(kind);
    const std::string patient = issue["patient_id"];
    if (kind == "label_convention") {
      for (const ManifestRow& r : rows) {
        if (r.patient != patient) continue;
        const auto present = labels_present(io::read_image_as<std::uint16_t>(dir / r.labels));
        EXPECT_EQ(present.count(4), 0u) << r.labels;
        EXPECT_EQ(present.count(7), 0u) << r.labels;
      }
      continue;
    }
    const fs::path image = dir / patient / (issue["scan_id"].get<std::string>() + ".nii.gz");
    const fs::path labels =
        dir / patient / (issue["scan_id"].get<std::string>() + "_labels.nii.gz");
    if (kind == "missing_structure") {
      EXPECT_EQ(labels_present(io::read_image_as<std::uint16_t>(labels))
                    .count(issue["label"].get<std::uint16_t>()),
                0u);
    } else if (kind == "truncated_fov") {
      EXPECT_EQ(io::read_image_info(image).geometry.size[2],
                issue["slices_kept"].get<std::int64_t>());
      EXPECT_LT(issue["slices_kept"].get<int>(), issue["slices_full"].get<int>());
    } else if (kind == "duplicate") {
      const fs::path original = dir / issue["original_patient_id"].get<std::string>() /
                                (issue["original_scan_id"].get<std::string>() + ".nii.gz");
      const auto a = io::read_image_as<std::int16_t>(image);
      const auto b = io::read_image_as<std::int16_t>(original);
      ASSERT_TRUE(a.geometry().same_grid(b.geometry()));
      if (issue["exact_copy"].get<bool>()) {
        EXPECT_EQ(a.buffer(), b.buffer());
      } else {
        EXPECT_NE(a.buffer(), b.buffer());
        double diff = 0;
        for (std::size_t v = 0; v < a.buffer().size(); ++v)
          diff += std::abs(a.buffer()[v] - b.buffer()[v]);
        EXPECT_LT(diff / double(a.buffer().size()), 10.0);  // re-noised, not another scan
      }
    } else if (kind == "other_scanner") {
      EXPECT_GE(issue["noise_sigma_hu"].get<double>(), 30.0);
      EXPECT_GE(std::abs(issue["hu_offset"].get<double>()), 30.0);
    }
  }
  EXPECT_EQ(kinds.count("duplicate"), 1u);
  EXPECT_GE(kinds.size(), 4u) << truth.dump();
  // The truth file on disk is the one returned.
  std::ifstream stream(dir / "truth.json");
  EXPECT_EQ(json::parse(stream), truth);
}

TEST(Cohort, HipReplacementsAreRecordedAndLeaveTheOtherPatientsAsTheyWere) {
  test::TempDir dir;
  CohortOptions o;
  o.seed = 6;
  o.patients = 3;
  o.duplicates = 0;
  Progress quiet(ProgressStyle::kQuiet);
  const json plain = write_cohort(o, dir / "plain", quiet);
  EXPECT_FALSE(plain.contains("hip_replacements"));
  o.hip_replacements = 0.5;
  const json metal = write_cohort(o, dir / "metal", quiet);
  ASSERT_TRUE(metal.contains("hip_replacements"));
  std::set<std::string> replaced;
  for (const json& r : metal["hip_replacements"]) replaced.insert(r["patient_id"]);
  // Seed 6 gives two patients of three an implant (a change of the draw shows here).
  ASSERT_EQ(replaced.size(), 2u) << metal.dump();
  EXPECT_EQ(metal["issues"], plain["issues"]);
  for (const ManifestRow& row : read_manifest(dir / "metal" / "manifest.csv")) {
    const Image<std::int16_t> with = io::read_image_as<std::int16_t>(dir / "metal" / row.image);
    const Image<std::int16_t> without = io::read_image_as<std::int16_t>(dir / "plain" / row.image);
    std::int64_t clipped = 0;
    for (const std::int16_t v : with.buffer()) clipped += v >= 3071;
    if (replaced.count(row.patient)) {
      EXPECT_GT(clipped, 0) << row.image;  // the metal, clipped as a scanner clips it
    } else {
      EXPECT_EQ(with.buffer(), without.buffer()) << row.image;
    }
  }
}

TEST(Cohort, RefusesAnEmptyCohort) {
  test::TempDir dir;
  CohortOptions o;
  o.patients = 0;
  Progress quiet(ProgressStyle::kQuiet);
  EXPECT_THROW(write_cohort(o, dir.path(), quiet), Error);
}

}  // namespace
}  // namespace modir::phantom
