#include "modir/dataset/split.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "support/test_support.h"

namespace modir::dataset {
namespace {

namespace fs = std::filesystem;

// 12 patients with 1-4 scans each; no files needed for splitting.
Manifest toy_manifest(const fs::path& folder) {
  Manifest m;
  m.file = folder / "manifest.csv";
  for (int p = 0; p < 12; ++p)
    for (int s = 0; s < 1 + p % 4; ++s) {
      ScanEntry e;
      e.patient_id = fmt::format("P{:02d}", p);
      e.scan_id = fmt::format("S{}", s);
      e.image_as_written = e.patient_id + "/" + e.scan_id + ".nii.gz";
      e.image = folder / e.image_as_written;
      e.labels = folder / (e.patient_id + "/" + e.scan_id + "_labels.nii.gz");
      m.scans.push_back(e);
    }
  return m;
}

std::size_t index_of(const Manifest& m, const std::string& patient, const std::string& scan) {
  for (std::size_t i = 0; i < m.scans.size(); ++i)
    if (m.scans[i].patient_id == patient && m.scans[i].scan_id == scan) return i;
  ADD_FAILURE() << patient << "/" << scan;
  return 0;
}

TEST(Split, FoldsKeepPatientsAndDuplicateGroupsTogether) {
  test::TempDir dir;
  const Manifest m = toy_manifest(dir.path());
  // P01/S0 and P05/S1 are one scan; P05/S0 and P09/S2 too: P01, P05 and P09 are one unit.
  DuplicateGroup a, b;
  a.scans = {index_of(m, "P01", "S0"), index_of(m, "P05", "S1")};
  b.scans = {index_of(m, "P05", "S0"), index_of(m, "P09", "S1")};
  const auto units = leakage_units(m, {a, b});
  const std::vector<int> folds = make_folds(m, units, 3, 7);
  std::map<std::string, std::set<int>> folds_of_patient;
  std::vector<int> load(3, 0);
  for (std::size_t i = 0; i < m.scans.size(); ++i) {
    folds_of_patient[m.scans[i].patient_id].insert(folds[i]);
    ++load[static_cast<std::size_t>(folds[i])];
  }
  for (const auto& [patient, set] : folds_of_patient) EXPECT_EQ(set.size(), 1u) << patient;
  EXPECT_EQ(folds_of_patient["P01"], folds_of_patient["P05"]);
  EXPECT_EQ(folds_of_patient["P05"], folds_of_patient["P09"]);
  // 30 scans in 10 units of 1-9 scans: balanced to within a few scans.
  EXPECT_LE(
      *std::max_element(load.begin(), load.end()) - *std::min_element(load.begin(), load.end()), 4);
  EXPECT_EQ(make_folds(m, units, 3, 7), folds);  // deterministic
  bool differs = false;
  for (std::uint64_t seed = 1; seed < 6; ++seed) differs |= make_folds(m, units, 3, seed) != folds;
  EXPECT_TRUE(differs);  // the seed matters
  EXPECT_THROW(make_folds(m, units, 1, 7), Error);
  EXPECT_THROW(make_folds(m, units, 11, 7), Error);  // 10 units only
}

TEST(Split, WrittenFileReadsBackAndIsLeakFree) {
  test::TempDir dir;
  const Manifest m = toy_manifest(dir / "cohort");
  const auto units = leakage_units(m, {});
  const std::vector<int> folds = make_folds(m, units, 4, 1);
  fs::create_directories(dir / "splits");
  write_split(m, folds, dir / "splits" / "split.csv");
  std::ifstream stream(dir / "splits" / "split.csv");
  std::string header, first;
  std::getline(stream, header);
  std::getline(stream, first);
  EXPECT_EQ(header, "patient_id,scan_id,image,labels,fold");
  EXPECT_EQ(first.rfind("P00,S0,../cohort/P00/S0.nii.gz,../cohort/P00/S0_labels.nii.gz,", 0), 0u)
      << first;
  const Split split = read_split(dir / "splits" / "split.csv");
  EXPECT_EQ(split.column, "fold");
  EXPECT_EQ(split.part.size(), m.scans.size());
  EXPECT_TRUE(split_findings(m, units, split).empty());
}

TEST(Split, LeakageAndCoverageAreFound) {
  test::TempDir dir;
  const Manifest m = toy_manifest(dir.path());
  DuplicateGroup g;
  g.scans = {index_of(m, "P00", "S0"), index_of(m, "P04", "S0")};
  const auto units = leakage_units(m, {g});
  std::ofstream(dir / "set.csv") << "patient_id,scan_id,set\n"
                                    "P00,S0,train\nP04,S0,test\nP03,S0,train\nP03,S1,test\n"
                                    "P99,S0,test\n";
  const Split split = read_split(dir / "set.csv");
  EXPECT_EQ(split.column, "set");
  std::vector<Finding> findings = split_findings(m, units, split);
  std::set<std::string> leaking;
  int coverage = 0;
  for (const Finding& f : findings) {
    if (f.kind == "split_leakage") {
      EXPECT_EQ(f.severity, Severity::kError);
      for (const std::string& p : f.patient_ids) leaking.insert(p);
    }
    coverage += f.kind == "split_coverage";
  }
  EXPECT_EQ(leaking, (std::set<std::string>{"P00", "P03", "P04"}));
  EXPECT_EQ(coverage, 2);  // scans not in the split, and P99 not in the manifest

  std::ofstream(dir / "bad.csv") << "patient_id,scan_id,fold\nP00,S0,first\n";
  EXPECT_THROW(read_split(dir / "bad.csv"), Error);
  std::ofstream(dir / "none.csv") << "patient_id,scan_id,part\nP00,S0,1\n";
  EXPECT_THROW(read_split(dir / "none.csv"), Error);
}

}  // namespace
}  // namespace modir::dataset
