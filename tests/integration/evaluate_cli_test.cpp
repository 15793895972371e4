// End-to-end tests of `modir evaluate` on a phantom pair, whose ground truth makes the expected
// figures exact.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <string>

#include "modir/io/image_io.h"
#include "modir/io/label_names.h"
#include "support/test_support.h"

namespace modir {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::quoted;
using test::run_modir;

// One phantom pair for every test of this file: generating it is the slow part.
class EvaluateCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    const auto r = run_modir("phantom --quiet --seed 3 --size small --out " + quoted(pair()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static fs::path pair() { return dir_->path() / "pair"; }
  static std::string in_pair(const std::string& name) { return quoted(pair() / name); }
  static json read_json(const fs::path& path) {
    std::ifstream stream(path);
    return json::parse(stream);
  }

  static test::TempDir* dir_;
};

test::TempDir* EvaluateCli::dir_ = nullptr;

TEST_F(EvaluateCli, LabelMapAgainstItselfIsPerfect) {
  const fs::path out = dir_->path() / "self.json";
  const auto r =
      run_modir("evaluate --quiet --fixed-labels " + in_pair("fixed_labels.nii.gz") +
                " --warped-labels " + in_pair("fixed_labels.nii.gz") + " --json " + quoted(out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("HD95"), std::string::npos) << r.out;
  const json j = read_json(out);
  ASSERT_GE(j["labels"].size(), 5u);
  for (const json& label : j["labels"]) {
    EXPECT_EQ(label["dice"].get<double>(), 1.0) << label;
    EXPECT_EQ(label["hd95_mm"].get<double>(), 0.0) << label;
    EXPECT_EQ(label["mean_surface_distance_mm"].get<double>(), 0.0) << label;
    EXPECT_GT(label["fixed_ml"].get<double>(), 0.0) << label;
    EXPECT_EQ(label["fixed_ml"], label["warped_ml"]);
  }
  // The phantom's meta.json beside the label map names the organs.
  EXPECT_EQ(j["label_names_from"], (pair() / "meta.json").string());
  const json meta = read_json(pair() / "meta.json");
  const json& first = j["labels"][0];
  EXPECT_EQ(first["name"], meta["labels"][std::to_string(first["value"].get<int>())]);
  EXPECT_NE(r.out.find(first["name"].get<std::string>()), std::string::npos) << r.out;
}

TEST_F(EvaluateCli, GroundTruthFieldMapsTheLandmarksExactly) {
  const fs::path out = dir_->path() / "truth.json";
  const auto r =
      run_modir("evaluate --quiet --displacement " + in_pair("gt_displacement.nii.gz") +
                " --fixed-landmarks " + in_pair("fixed_landmarks.csv") + " --moving-landmarks " +
                in_pair("moving_landmarks.csv") + " --json " + quoted(out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = read_json(out);
  const json& tre = j["landmarks"];
  EXPECT_GE(tre["count"].get<int>(), 100);
  EXPECT_LT(tre["max_mm"].get<double>(), 0.05) << tre.dump();
  EXPECT_LT(tre["mean_mm"].get<double>(), 0.05);
  EXPECT_LE(tre["median_mm"].get<double>(), tre["p95_mm"].get<double>());
  EXPECT_GT(tre["initial_mean_mm"].get<double>(), 1.0);  // there was something to register
  EXPECT_EQ(tre["points"].size(), tre["count"].get<std::size_t>());
  // The phantom's ground truth does not fold; its minimum Jacobian is recorded in meta.json.
  const json meta = read_json(pair() / "meta.json");
  EXPECT_EQ(j["jacobian"]["folded_voxels"], 0);
  EXPECT_NEAR(j["jacobian"]["min"].get<double>(), meta["jacobian"]["min"].get<double>(), 1e-3);
  EXPECT_NE(r.out.find("TRE mean"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Jacobian"), std::string::npos) << r.out;
}

TEST_F(EvaluateCli, MovedLandmarksShowUpAsError) {
  // The identity-free check: against the fixed landmarks themselves, the error is the motion.
  const auto r =
      run_modir("evaluate --quiet --displacement " + in_pair("gt_displacement.nii.gz") +
                " --fixed-landmarks " + in_pair("fixed_landmarks.csv") + " --moving-landmarks " +
                in_pair("fixed_landmarks.csv") + " --json " + quoted(dir_->path() / "moved.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = read_json(dir_->path() / "moved.json");
  EXPECT_GT(j["landmarks"]["mean_mm"].get<double>(), 1.0);
}

TEST_F(EvaluateCli, LabelMapsOnDifferentGridsAreADataError) {
  const fs::path coarse = dir_->path() / "coarse_labels.nii.gz";
  ASSERT_EQ(run_modir("convert --quiet " + in_pair("fixed_labels.nii.gz") + " " + quoted(coarse) +
                      " --spacing 4,4,6 --interpolation nearest")
                .exit_code,
            0);
  const auto r = run_modir("evaluate --quiet --fixed-labels " + in_pair("fixed_labels.nii.gz") +
                           " --warped-labels " + quoted(coarse));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("modir: error: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not on the same grid"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("coarse_labels.nii.gz"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("96x96x48"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST_F(EvaluateCli, MissingOrHalfGivenArgumentsAreUsageErrors) {
  const std::string labels = in_pair("fixed_labels.nii.gz");
  for (const std::string& args :
       {std::string("evaluate"), "evaluate --fixed-labels " + labels,
        "evaluate --displacement " + in_pair("gt_displacement.nii.gz") + " --fixed-landmarks " +
            in_pair("fixed_landmarks.csv"),
        "evaluate --fixed-landmarks " + in_pair("fixed_landmarks.csv") + " --moving-landmarks " +
            in_pair("moving_landmarks.csv"),
        "evaluate --fixed-labels " + labels + " --warped-labels " + labels + " --json " + labels}) {
    const auto r = run_modir(args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_EQ(r.err.rfind("modir: error: ", 0), 0u) << r.err;
  }
}

TEST_F(EvaluateCli, LabelNamesComeFromASidecarOrLabelsJson) {
  // A label map with a `modir convert` sidecar beside it and no meta.json in its folder.
  const fs::path folder = dir_->path() / "named";
  fs::create_directories(folder);
  fs::copy_file(pair() / "fixed_labels.nii.gz", folder / "organs.nii.gz");
  std::ofstream(folder / "organs.json") << R"({"labels": [{"value": 3, "name": "Blase"}]})";
  const auto r = run_modir("evaluate --quiet --fixed-labels " + quoted(folder / "organs.nii.gz") +
                           " --warped-labels " + quoted(folder / "organs.nii.gz") + " --json " +
                           quoted(folder / "out.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = read_json(folder / "out.json");
  EXPECT_EQ(j["label_names_from"], (folder / "organs.json").string());
  for (const json& label : j["labels"]) {
    const int value = label["value"];
    EXPECT_EQ(label["name"], value == 3 ? "Blase" : std::to_string(value)) << label;
  }
  // An explicit --labels-json that names nothing is a data error naming the file.
  std::ofstream(folder / "empty.json") << R"({"unrelated": 1})";
  const auto bad = run_modir("evaluate --quiet --fixed-labels " + quoted(folder / "organs.nii.gz") +
                             " --warped-labels " + quoted(folder / "organs.nii.gz") +
                             " --labels-json " + quoted(folder / "empty.json"));
  EXPECT_EQ(bad.exit_code, 1) << bad.err;
  EXPECT_NE(bad.err.find("empty.json"), std::string::npos) << bad.err;
}

TEST_F(EvaluateCli, MapsNumberedDifferentlyArePairedByName) {
  // The phantom's labels renumbered as a planning system orders its structures, with the
  // structures' own names: bladder 3 -> 1 ("Blaas"), rectum 4 -> 2, body 1 -> 5 ("BODY"); the
  // other organs are not in this "structure set".
  const fs::path folder = dir_->path() / "planning";
  fs::create_directories(folder);
  const LabelMap truth = io::read_image_as<std::uint16_t>(pair() / "fixed_labels.nii.gz");
  io::write_image(io::renumber_labels(truth, {{3, 1}, {4, 2}, {1, 5}}), folder / "rs.nii.gz");
  std::ofstream(folder / "rs.json") << R"({"labels": [{"value": 1, "name": "Blaas"},
      {"value": 2, "name": "Rectum"}, {"value": 5, "name": "BODY"}]})";
  const auto r = run_modir("evaluate --fixed-labels " + in_pair("fixed_labels.nii.gz") +
                           " --warped-labels " + quoted(folder / "rs.nii.gz") + " --json " +
                           quoted(folder / "out.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("labels paired by name"), std::string::npos) << r.out;
  const json j = read_json(folder / "out.json");
  EXPECT_EQ(j["label_pairing"]["by"], "name");
  for (const json& label : j["labels"]) {
    const int value = label["value"];
    if (value == 1 || value == 3 || value == 4) {
      EXPECT_NEAR(label["dice"].get<double>(), 1.0, 1e-12) << label;  // the same voxels
    } else {
      EXPECT_TRUE(label["missing_in_warped"].get<bool>()) << label;  // not in the structure set
    }
  }
  // --labels-json says both maps share one numbering: no pairing, and bladder meets body.
  const auto same = run_modir("evaluate --quiet --fixed-labels " + in_pair("fixed_labels.nii.gz") +
                              " --warped-labels " + quoted(folder / "rs.nii.gz") +
                              " --labels-json " + in_pair("meta.json") + " --json " +
                              quoted(folder / "same.json"));
  ASSERT_EQ(same.exit_code, 0) << same.err;
  EXPECT_TRUE(read_json(folder / "same.json")["label_pairing"].is_null());
  // Names that pair with nothing are a data error naming both names files.
  std::ofstream(folder / "rs.json") << R"({"labels": [{"value": 1, "name": "PTV"}]})";
  const auto none = run_modir("evaluate --quiet --fixed-labels " + in_pair("fixed_labels.nii.gz") +
                              " --warped-labels " + quoted(folder / "rs.nii.gz"));
  EXPECT_EQ(none.exit_code, 1) << none.err;
  EXPECT_NE(none.err.find("rs.json"), std::string::npos) << none.err;
  EXPECT_NE(none.err.find("meta.json"), std::string::npos) << none.err;
}

TEST_F(EvaluateCli, UnpairedLandmarksNameTheFiles) {
  const fs::path few = dir_->path() / "few.csv";
  std::ofstream(few) << "id,x,y,z\nnot_a_landmark,0,0,0\n";
  const auto r = run_modir("evaluate --quiet --displacement " + in_pair("gt_displacement.nii.gz") +
                           " --fixed-landmarks " + in_pair("fixed_landmarks.csv") +
                           " --moving-landmarks " + quoted(few));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("few.csv"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("do not pair"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace modir
