// End-to-end tests of `modir landmarks` and `modir register --landmarks auto` on a small phantom
// pair with a known true displacement: the files register reads, pairs close to the truth, the
// report's account of them; bad input gives one line and the documented exit status.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <string>

#include "modir/io/image_io.h"
#include "modir/io/point_io.h"
#include "support/phantom_pair_suite.h"
#include "support/test_support.h"

namespace modir {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::quoted;
using test::run_modir;

class LandmarksCli : public test::PhantomPairSuite {
 protected:
  static void SetUpTestSuite() { make_pair("--seed 6 --size small --deformation moderate"); }
};

TEST_F(LandmarksCli, MatchWritesPairedFilesCloseToTheTruth) {
  const fs::path result = out("match");
  const auto r =
      run_modir("landmarks match --quiet" + images() + labels() + " --true-displacement " +
                quoted(pair("gt_displacement.nii.gz")) + " --out " + quoted(result));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* name : {"fixed_landmarks.csv", "moving_landmarks.csv", "matches.csv",
                           "summary.json", "landmarks.png"})
    EXPECT_TRUE(fs::exists(result / name)) << name;
  const PointSet fixed = io::read_points(result / "fixed_landmarks.csv");
  const PointSet moving = io::read_points(result / "moving_landmarks.csv");
  ASSERT_EQ(fixed.size(), moving.size());
  ASSERT_GE(fixed.size(), 30u);
  EXPECT_EQ(pair_by_id(fixed, moving).ids.size(), fixed.size());
  const json summary = read_json(result / "summary.json");
  EXPECT_EQ(summary["pairs"].get<std::size_t>(), fixed.size());
  EXPECT_EQ(summary["method"], "classical");
  EXPECT_TRUE(summary.contains("pairs_per_fixed_label"));
  const json& error = summary["error_against_truth_mm"];
  EXPECT_LE(error["median"].get<double>(), 1.5) << error.dump();
  EXPECT_GE(error["share_within_3mm"].get<double>(), 0.9) << error.dump();
  // The same pairs in the same order, with their confidence, in the table.
  std::ifstream table(result / "matches.csv");
  std::string header, first;
  std::getline(table, header);
  std::getline(table, first);
  EXPECT_NE(header.find("confidence"), std::string::npos);
  EXPECT_EQ(first.substr(0, first.find(',')), fixed.points.front().id);
}

// Issue 17: the learned method (the shipped models/landmarks) writes the same files in the same
// format as the classical one, and its pairs are close to the truth.
TEST_F(LandmarksCli, LearnedMatchingSharesTheOutputFormatAndIsCloseToTheTruth) {
  const std::string common =
      images() + labels() + " --true-displacement " + quoted(pair("gt_displacement.nii.gz"));
  const fs::path learned = out("learned_match"), classical = out("classical_match");
  auto r =
      run_modir("landmarks match --quiet --method learned" + common + " --out " + quoted(learned));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_modir("landmarks match --quiet" + common + " --out " + quoted(classical));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto first_line = [](const fs::path& file) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
  };
  for (const char* name : {"fixed_landmarks.csv", "moving_landmarks.csv", "matches.csv"})
    EXPECT_EQ(first_line(learned / name), first_line(classical / name)) << name;
  EXPECT_TRUE(fs::exists(learned / "landmarks.png"));
  const json a = read_json(learned / "summary.json"), b = read_json(classical / "summary.json");
  for (const auto& [key, value] : b.items()) EXPECT_TRUE(a.contains(key)) << key;
  EXPECT_EQ(a["method"], "learned");
  const PointSet fixed = io::read_points(learned / "fixed_landmarks.csv");
  ASSERT_GE(fixed.size(), 30u);
  const json& error = a["error_against_truth_mm"];
  EXPECT_LE(error["median"].get<double>(), 1.5) << error.dump();
  EXPECT_GE(error["share_within_3mm"].get<double>(), 0.9) << error.dump();
}

// A few steps of `landmarks train` on the pair write a model folder that matching then loads.
TEST_F(LandmarksCli, TrainingWritesAModelThatMatchingLoads) {
  const fs::path model = out("trained");
  auto r =
      run_modir("landmarks train --quiet --device cpu --steps 3 --patch 24 --points 32 --pairs " +
                quoted(out("pair")) + " --out " + quoted(model));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* name : {"landmark_network.json", "weights.pt", "training_log.csv"})
    EXPECT_TRUE(fs::exists(model / name)) << name;
  r = run_modir("landmarks detect --quiet --method learned --device cpu --max 40 --model " +
                quoted(model) + " --image " + quoted(pair("fixed.nii.gz")) + " --out " +
                quoted(out("lkp.csv")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(io::read_points(out("lkp.csv")).size(), 40u);
}

TEST_F(LandmarksCli, DetectWritesKeypointsOfOneScan) {
  const auto r = run_modir("landmarks detect --quiet --max 50 --image " +
                           quoted(pair("fixed.nii.gz")) + " --out " + quoted(out("kp.csv")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const PointSet points = io::read_points(out("kp.csv"));
  EXPECT_GE(points.size(), 20u);
  EXPECT_LE(points.size(), 50u);
}

TEST_F(LandmarksCli, RegisterWithAutomaticLandmarksRecordsThem) {
  const fs::path result = out("auto");
  const auto r = run_modir("register --quiet --landmarks auto" + images() + labels() +
                           " --config " + quoted(out("fast.json")) + " --out " + quoted(result));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json report = read_json(result / "report.json");
  const json& a = report["auto_landmarks"];
  ASSERT_TRUE(a.is_object()) << report.dump();
  const std::size_t found = a["found"], used = a["used"];
  std::size_t discarded = 0;
  for (const auto& [why, n] : a["discarded"].items()) discarded += n.get<std::size_t>();
  EXPECT_GT(used, 0u);
  EXPECT_EQ(found, used + discarded);
  EXPECT_EQ(report["guidance"]["landmark_pairs"].get<std::size_t>(), used);
  EXPECT_EQ(io::read_points(result / "auto_landmarks" / "fixed_landmarks.csv").size(), used);
  EXPECT_EQ(a["method"], "classical");
  EXPECT_EQ(a["weighted_by"], "confidence squared");
}

// Automatic pairs guide under guidance.auto_landmark_weight; 0 there leaves --landmarks auto
// nothing to do, which is refused before any work.
TEST_F(LandmarksCli, AutomaticLandmarksWithoutTheirWeightAreAUsageError) {
  std::ofstream(out("no_auto_weight.json")) << R"({"guidance": {"auto_landmark_weight": 0}})";
  const auto r =
      run_modir("register --quiet --landmarks auto" + images() + labels() + " --config " +
                quoted(out("no_auto_weight.json")) + " --out " + quoted(out("no_auto_weight")));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("guidance.auto_landmark_weight 0"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out("no_auto_weight")));
}

TEST_F(LandmarksCli, RegisterCanGuideWithTheLearnedMethodsLandmarks) {
  const fs::path result = out("auto_learned");
  const auto r = run_modir(
      "register --quiet --landmarks auto --landmark-method learned --device cpu" + images() +
      labels() + " --config " + quoted(out("fast.json")) + " --out " + quoted(result));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json report = read_json(result / "report.json");
  const json& a = report["auto_landmarks"];
  EXPECT_EQ(a["method"], "learned");
  EXPECT_GT(a["used"].get<std::size_t>(), 0u);
  EXPECT_EQ(report["guidance"]["landmark_pairs"], a["used"]);
}

TEST_F(LandmarksCli, BadInputIsRefusedWithOneLine) {
  // A scan of one value throughout.
  Image<float> flat = io::read_image_as<float>(pair("fixed.nii.gz"));
  std::fill(flat.buffer().begin(), flat.buffer().end(), 40.0f);
  io::write_image(flat, out("flat.nii.gz"));
  auto r =
      run_modir("landmarks match --quiet --fixed " + quoted(out("flat.nii.gz")) + " --moving " +
                quoted(pair("moving.nii.gz")) + " --out " + quoted(out("flat_match")));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no structure"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out("flat_match") / "summary.json"));

  // Scans that do not overlap.
  Image<float> far = io::read_image_as<float>(pair("moving.nii.gz"));
  Geometry g = far.geometry();
  g.origin.z += 2000.0;
  far.set_geometry(g);
  io::write_image(far, out("far.nii.gz"));
  r = run_modir("landmarks match --quiet --fixed " + quoted(pair("fixed.nii.gz")) + " --moving " +
                quoted(out("far.nii.gz")) + " --out " + quoted(out("far_match")));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("do not overlap"), std::string::npos) << r.err;

  // Usage errors.
  r = run_modir("landmarks match --quiet --method deep" + images() + " --out " +
                quoted(out("deep")));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("classical or learned"), std::string::npos) << r.err;
  r = run_modir("landmarks train --quiet --device gpu --pairs " + quoted(out("pair")) + " --out " +
                quoted(out("gpu_model")));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--device must be cpu or cuda"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out("gpu_model")));
  r = run_modir("landmarks match --quiet --method learned --device tpu" + images() + " --out " +
                quoted(out("tpu")));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--device must be cpu or cuda"), std::string::npos) << r.err;
  // register runs no network of its own: a GPU for it is refused, not left idle.
  r = run_modir("register --quiet --device cuda" + images() + " --out " + quoted(out("idle")));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("needs --landmarks auto --landmark-method learned"), std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(out("idle")));
  r = run_modir("register --quiet --device tpu" + images() + " --out " + quoted(out("tpu_only")));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--device must be cpu or cuda, not 'tpu'"), std::string::npos) << r.err;
  r = run_modir("register --quiet --landmarks auto --landmark-method learned --device tpu" +
                images() + " --out " + quoted(out("tpu_register")));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--device must be cpu or cuda"), std::string::npos) << r.err;
  r = run_modir("landmarks match --quiet --method learned --model " + quoted(out("nothing")) +
                images() + " --out " + quoted(out("no_model")));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not a landmark model folder"), std::string::npos) << r.err;
  r = run_modir("landmarks train --quiet --pairs " + quoted(out("nothing")) + " --out " +
                quoted(out("no_pairs")));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not a training pair folder"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out("no_pairs")));
  r = run_modir("register --quiet --landmarks manual" + images() + " --out " + quoted(out("x")));
  EXPECT_EQ(r.exit_code, 2);
  r = run_modir("register --quiet --landmarks auto" + images() + " --fixed-landmarks " +
                quoted(pair("fixed_landmarks.csv")) + " --moving-landmarks " +
                quoted(pair("moving_landmarks.csv")) + " --out " + quoted(out("y")));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--landmarks auto"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace modir
