// End-to-end tests of `modir dataset check` and `modir dataset split` on a phantom cohort.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "support/test_support.h"

namespace modir {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::quoted;
using test::run_modir;

json read_json(const fs::path& path) {
  std::ifstream stream(path);
  return json::parse(stream);
}

// patient/scan -> fold of a split file.
std::map<std::string, std::string> read_folds(const fs::path& path, std::string& header) {
  std::ifstream stream(path);
  std::getline(stream, header);
  std::map<std::string, std::string> folds;
  std::string line;
  while (std::getline(stream, line)) {
    std::stringstream ss(line);
    std::string patient, scan, image, labels, fold;
    std::getline(ss, patient, ',');
    std::getline(ss, scan, ',');
    std::getline(ss, image, ',');
    std::getline(ss, labels, ',');
    std::getline(ss, fold, ',');
    EXPECT_TRUE(fs::exists(path.parent_path() / image)) << image;
    folds[patient + "/" + scan] = fold;
  }
  return folds;
}

class DatasetCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir;
    const auto r = run_modir(
        "phantom --quiet --cohort 4 --seed 3 --missing-structure 0.25 --merged-labels 0.25 "
        "--other-scanner 0.25 --truncated 0.25 --duplicates 2 --out " +
        quoted(*dir_ / "cohort"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() { delete dir_; }
  static fs::path manifest() { return *dir_ / "cohort" / "manifest.csv"; }
  static test::TempDir* dir_;
};

test::TempDir* DatasetCli::dir_ = nullptr;

TEST_F(DatasetCli, CheckFindsEveryPlantedProblem) {
  const fs::path out = *dir_ / "findings.json";
  const auto r = run_modir("dataset check --quiet " + quoted(manifest()) + " --json " +
                           quoted(out) + " --truth " + quoted(*dir_ / "cohort" / "truth.json"));
  EXPECT_EQ(r.exit_code, 3) << r.err;  // the duplicates are errors
  EXPECT_NE(r.out.find("duplicate"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("precision"), std::string::npos) << r.out;
  const json report = read_json(out);
  EXPECT_GE(report["counts"]["error"].get<int>(), 1);
  std::set<std::string> originals;  // one group per duplicated scan, however many copies
  const json truth = read_json(*dir_ / "cohort" / "truth.json");
  for (const json& issue : truth["issues"])
    if (issue["kind"] == "duplicate")
      originals.insert(issue["original_patient_id"].get<std::string>() + "/" +
                       issue["original_scan_id"].get<std::string>());
  EXPECT_EQ(report["duplicate_groups"].size(), originals.size()) << report.dump(1);
  for (const json& score : report["score"]) {
    SCOPED_TRACE(score["truth_kind"].get<std::string>());
    EXPECT_EQ(score["recall"].get<double>(), 1.0) << r.out;
    EXPECT_GE(score["precision"].get<double>(), 0.8) << r.out;
  }
  for (const json& f : report["findings"]) {
    EXPECT_FALSE(f["files"].empty()) << f.dump();
    EXPECT_FALSE(f["message"].get<std::string>().empty());
  }
}

TEST_F(DatasetCli, SplitIsLeakFreeDeterministicAndChecked) {
  const fs::path a = *dir_ / "splits" / "a.csv", b = *dir_ / "b.csv";
  fs::create_directories(a.parent_path());
  auto r = run_modir("dataset split --quiet " + quoted(manifest()) + " --folds 2 --seed 4 --out " +
                     quoted(a));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(
      run_modir("dataset split -q " + quoted(manifest()) + " --folds 2 --seed 4 --out " + quoted(b))
          .exit_code,
      0);
  std::string header;
  const auto folds = read_folds(a, header);
  EXPECT_EQ(header, "patient_id,scan_id,image,labels,fold");
  std::string header_b;
  EXPECT_EQ(read_folds(b, header_b), folds);  // same seed, same folds (paths differ, folds not)

  // Patients and duplicate copies with their originals share a fold.
  const json truth = read_json(*dir_ / "cohort" / "truth.json");
  std::map<std::string, std::set<std::string>> folds_of_patient;
  for (const auto& [key, fold] : folds) folds_of_patient[key.substr(0, key.find('/'))].insert(fold);
  for (const auto& [patient, set] : folds_of_patient) EXPECT_EQ(set.size(), 1u) << patient;
  for (const json& issue : truth["issues"]) {
    if (issue["kind"] != "duplicate") continue;
    EXPECT_EQ(folds_of_patient[issue["patient_id"]],
              folds_of_patient[issue["original_patient_id"]]);
  }

  // The split passes the leakage check; a leaking train/test split does not.
  r = run_modir("dataset check -q " + quoted(manifest()) + " --split " + quoted(a) + " --json " +
                quoted(*dir_ / "with_split.json"));
  const json with_split = read_json(*dir_ / "with_split.json");
  for (const json& f : with_split["findings"]) EXPECT_NE(f["kind"], "split_leakage") << f.dump();
  std::ofstream(*dir_ / "leaky.csv") << "patient_id,scan_id,set\nP000,S0,train\nP000,S1,test\n";
  r = run_modir("dataset check -q " + quoted(manifest()) + " --split " +
                quoted(*dir_ / "leaky.csv"));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.out.find("split_leakage"), std::string::npos) << r.out;
}

TEST_F(DatasetCli, BadInputIsAClearError) {
  test::TempDir dir;
  std::ofstream(dir / "no_labels.csv") << "patient_id,scan_id,image\nP1,S0,a.nii.gz\n";
  auto r = run_modir("dataset check " + quoted(dir / "no_labels.csv"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no column(s) labels"), std::string::npos) << r.err;
  std::ofstream(dir / "gone.csv") << "patient_id,scan_id,image,labels\nP1,S0,gone.nii.gz,\n";
  r = run_modir("dataset check " + quoted(dir / "gone.csv"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("gone.nii.gz (line 2)"), std::string::npos) << r.err;
  EXPECT_EQ(run_modir("dataset check").exit_code, 2);
  EXPECT_EQ(run_modir("dataset split " + quoted(manifest()) + " --folds 1 --out x.csv").exit_code,
            2);
  r = run_modir("dataset split -q " + quoted(manifest()) + " --folds 50 --out " +
                quoted(dir / "s.csv"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("independent patient group"), std::string::npos) << r.err;
  r = run_modir("dataset --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("check"), std::string::npos);
}

}  // namespace
}  // namespace modir
