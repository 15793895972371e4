#include "modir/phantom/cohort.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "modir/io/image_io.h"
#include "modir/io/label_map_io.h"
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

/// The patient ids of a truth.json list of per-patient additions (hip_replacements, calcified,
/// markers).
std::set<std::string> listed_patients(const json& list) {
  std::set<std::string> ids;
  for (const json& r : list) ids.insert(r["patient_id"].get<std::string>());
  return ids;
}

/// Seed 6's three patients without duplicates: small enough for a test, and a draw per patient
/// or per scan gives some of them an addition and not others.
CohortOptions three_patients() {
  CohortOptions o;
  o.seed = 6;
  o.patients = 3;
  o.duplicates = 0;
  return o;
}

TEST(Cohort, HipReplacementsAreRecordedAndLeaveTheOtherPatientsAsTheyWere) {
  test::TempDir dir;
  CohortOptions o = three_patients();
  Progress quiet(ProgressStyle::kQuiet);
  const json plain = write_cohort(o, dir / "plain", quiet);
  EXPECT_FALSE(plain.contains("hip_replacements"));
  o.hip_replacements = 0.5;
  const json metal = write_cohort(o, dir / "metal", quiet);
  ASSERT_TRUE(metal.contains("hip_replacements"));
  const std::set<std::string> replaced = listed_patients(metal["hip_replacements"]);
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

TEST(Cohort, ArmsDownAreDrawnPerScanAndLeaveTheScansStreamsAlone) {
  test::TempDir dir;
  CohortOptions o = three_patients();
  Progress quiet(ProgressStyle::kQuiet);
  const json plain = write_cohort(o, dir / "plain", quiet);
  EXPECT_FALSE(plain.contains("arms_down"));
  o.arms_down = 0.5;
  const json arms = write_cohort(o, dir / "arms", quiet);
  ASSERT_TRUE(arms.contains("arms_down"));
  const std::vector<ManifestRow> rows = read_manifest(dir / "arms" / "manifest.csv");
  // Some scans of the cohort, not all and not none, each with a design of its own.
  const std::size_t down = arms["arms_down"].size();
  EXPECT_GT(down, 0u) << arms["arms_down"].dump();
  EXPECT_LT(down, rows.size());
  std::set<std::string> designs;
  for (const json& a : arms["arms_down"]) designs.insert(a["arms"].dump());
  EXPECT_EQ(designs.size(), down);
  EXPECT_EQ(arms["issues"], plain["issues"]);
  // The small field of view (192 mm) ends inside the trunk: no scan changes, so the arms took
  // nothing from the scans' own streams, and each scan's arms were gone before the next.
  for (const ManifestRow& row : rows) {
    EXPECT_EQ(io::read_image_as<std::int16_t>(dir / "arms" / row.image).buffer(),
              io::read_image_as<std::int16_t>(dir / "plain" / row.image).buffer())
        << row.image;
  }
  EXPECT_EQ(write_cohort(o, dir / "again", quiet), arms);
}

TEST(Cohort, CalcificationsAreDrawnPerPatientAndLeaveTheOthersAsTheyWere) {
  test::TempDir dir;
  CohortOptions o = three_patients();
  Progress quiet(ProgressStyle::kQuiet);
  const json plain = write_cohort(o, dir / "plain", quiet);
  EXPECT_FALSE(plain.contains("calcified"));
  o.calcified = 0.5;
  const json calcified = write_cohort(o, dir / "calcified", quiet);
  ASSERT_TRUE(calcified.contains("calcified"));
  const std::set<std::string> patients = listed_patients(calcified["calcified"]);
  // Some of the three patients, not all and not none.
  EXPECT_GT(patients.size(), 0u) << calcified.dump();
  EXPECT_LT(patients.size(), 3u) << calcified.dump();
  EXPECT_EQ(calcified["issues"], plain["issues"]);
  for (const ManifestRow& row : read_manifest(dir / "calcified" / "manifest.csv")) {
    const auto with = io::read_image_as<std::int16_t>(dir / "calcified" / row.image).buffer();
    const auto without = io::read_image_as<std::int16_t>(dir / "plain" / row.image).buffer();
    if (!patients.count(row.patient)) {
      EXPECT_EQ(with, without) << row.image;
      continue;
    }
    std::int64_t brighter = 0;
    for (std::size_t i = 0; i < with.size(); ++i) brighter += with[i] > without[i] + 100;
    EXPECT_GT(brighter, 0) << row.image;  // every scan of such a patient shows them
  }
  EXPECT_EQ(write_cohort(o, dir / "again", quiet), calcified);
}

TEST(Cohort, MarkersAreImplantedInSomeMenAndLeaveTheOthersAsTheyWere) {
  test::TempDir dir;
  CohortOptions o = three_patients();
  Progress quiet(ProgressStyle::kQuiet);
  const json plain = write_cohort(o, dir / "plain", quiet);
  EXPECT_FALSE(plain.contains("markers"));
  o.marked = 1.0;
  const json marked = write_cohort(o, dir / "marked", quiet);
  ASSERT_TRUE(marked.contains("markers"));
  const std::set<std::string> patients = listed_patients(marked["markers"]);
  // Every man of the three, no woman (seed 6 has both).
  EXPECT_GT(patients.size(), 0u) << marked.dump();
  EXPECT_LT(patients.size(), 3u) << marked.dump();
  EXPECT_EQ(marked["issues"], plain["issues"]);
  // The small size's 2 mm grid and a scan's truncated range can miss a seed: clipped metal in
  // at least one scan of each marked man.
  std::map<std::string, std::int64_t> clipped;
  for (const ManifestRow& row : read_manifest(dir / "marked" / "manifest.csv")) {
    const auto with = io::read_image_as<std::int16_t>(dir / "marked" / row.image).buffer();
    const auto without = io::read_image_as<std::int16_t>(dir / "plain" / row.image).buffer();
    if (!patients.count(row.patient)) {
      EXPECT_EQ(with, without) << row.image;
      continue;
    }
    for (const std::int16_t v : with) clipped[row.patient] += v >= 3071;
  }
  for (const std::string& patient : patients) EXPECT_GT(clipped[patient], 0) << patient;
}

// Labelled voxels in the outer eighth of the field of view on the left and on the right.
std::pair<std::int64_t, std::int64_t> outer_body(const LabelMap& labels) {
  const Size3& n = labels.size();
  std::int64_t left = 0, right = 0;
  for (std::int64_t z = 0; z < n[2]; ++z)
    for (std::int64_t y = 0; y < n[1]; ++y)
      for (std::int64_t x = 0; x < n[0] / 8; ++x) {
        right += labels(x, y, z) != 0;
        left += labels(n[0] - 1 - x, y, z) != 0;
      }
  return {left, right};
}

// The large size's field of view does show them: more body at both sides of every scan than in
// the same scans without them (about 50 s for four large scans).
TEST(Cohort, ArmsDownShowInALargeCohortsScans) {
  test::TempDir dir;
  CohortOptions o;
  o.seed = 4;  // one patient with two scans
  o.patients = 1;
  o.size = PhantomSize::kLarge;
  o.duplicates = 0;
  o.label_noise = o.missing_structure = o.merged_labels = o.truncated = 0.0;
  Progress quiet(ProgressStyle::kQuiet);
  write_cohort(o, dir / "plain", quiet);
  o.arms_down = 1.0;
  const json truth = write_cohort(o, dir / "arms", quiet);
  const std::vector<ManifestRow> rows = read_manifest(dir / "arms" / "manifest.csv");
  ASSERT_EQ(truth["arms_down"].size(), rows.size());
  for (const ManifestRow& row : rows) {
    const auto [left, right] = outer_body(io::read_label_map(dir / "arms" / row.labels));
    const auto [plain_left, plain_right] =
        outer_body(io::read_label_map(dir / "plain" / row.labels));
    EXPECT_GT(left, plain_left + 20000) << row.labels;
    EXPECT_GT(right, plain_right + 20000) << row.labels;
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
