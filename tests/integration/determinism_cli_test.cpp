// The same inputs, config and thread count give byte-identical outputs (timings aside, which
// report.json, front.json and summary.json record): register, the front, segment predict and
// landmarks match. On these pairs a different thread count gives the same bytes too.

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "support/test_support.h"

namespace modir {
namespace {

namespace fs = std::filesystem;
using test::quoted;
using test::run_modir;

std::string bytes_of(const fs::path& path) {
  std::ifstream stream(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
}

class DeterminismCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    const auto r = run_modir("phantom --quiet --seed 6 --size small --deformation large --out " +
                             quoted(at("pair")));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // Two deformable levels with few iterations keep the runs short on two cores.
    std::ofstream(at("fast.json")) << R"({"deformable": {"levels": 2, "iterations": [30, 20]}})";
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static fs::path at(const std::string& name) { return dir_->path() / name; }
  static std::string guided_register(const fs::path& out, int threads,
                                     const std::string& more = "") {
    return "register --quiet --threads " + std::to_string(threads) + " --fixed " +
           quoted(at("pair/fixed.nii.gz")) + " --moving " + quoted(at("pair/moving.nii.gz")) +
           " --fixed-labels " + quoted(at("pair/fixed_labels.nii.gz")) + " --moving-labels " +
           quoted(at("pair/moving_labels.nii.gz")) + " --config " + quoted(at("fast.json")) +
           " --out " + quoted(out) + more;
  }
  static test::TempDir* dir_;
};

test::TempDir* DeterminismCli::dir_ = nullptr;

TEST_F(DeterminismCli, RepeatedRegistrationsAreByteIdentical) {
  for (const auto& [name, threads] :
       {std::pair{"a", 2}, std::pair{"b", 2}, std::pair{"one_thread", 1}}) {
    const auto r = run_modir(guided_register(at(name), threads));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  for (const char* file : {"displacement.nii.gz", "warped.nii.gz", "warped_labels.nii.gz",
                           "jacobian.nii.gz", "transform.json"}) {
    const std::string a = bytes_of(at("a") / file);
    EXPECT_FALSE(a.empty()) << file;
    EXPECT_EQ(a, bytes_of(at("b") / file)) << file;
    EXPECT_EQ(a, bytes_of(at("one_thread") / file)) << file << " with one thread";
  }
}

TEST_F(DeterminismCli, RepeatedFrontsAreByteIdentical) {
  for (const char* name : {"front_a", "front_b"}) {
    const auto r = run_modir(guided_register(at(name), 2, " --pareto 3"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  for (const char* file : {"solutions/solution_00.json", "solutions/solution_01.json",
                           "solutions/solution_02.json", "displacement.nii.gz"}) {
    EXPECT_EQ(bytes_of(at("front_a") / file), bytes_of(at("front_b") / file)) << file;
  }
}

TEST_F(DeterminismCli, RepeatedLandmarkMatchesAreByteIdentical) {
  for (const auto& [name, threads] :
       {std::pair{"lm_a", 2}, std::pair{"lm_b", 2}, std::pair{"lm_one_thread", 1}}) {
    const auto r = run_modir("landmarks match --quiet --threads " + std::to_string(threads) +
                             " --fixed " + quoted(at("pair/fixed.nii.gz")) + " --moving " +
                             quoted(at("pair/moving.nii.gz")) + " --fixed-labels " +
                             quoted(at("pair/fixed_labels.nii.gz")) + " --moving-labels " +
                             quoted(at("pair/moving_labels.nii.gz")) + " --out " +
                             quoted(at(name)));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  for (const char* file :
       {"fixed_landmarks.csv", "moving_landmarks.csv", "matches.csv", "landmarks.png"}) {
    const std::string a = bytes_of(at("lm_a") / file);
    ASSERT_FALSE(a.empty()) << file;
    EXPECT_EQ(a, bytes_of(at("lm_b") / file)) << file;
    EXPECT_EQ(a, bytes_of(at("lm_one_thread") / file)) << file << " with one thread";
  }
}

TEST_F(DeterminismCli, RepeatedPredictionsAreByteIdentical) {
  for (const char* name : {"seg_a.nii.gz", "seg_b.nii.gz"}) {
    const auto r = run_modir("segment predict --quiet --no-qc --threads 2 --image " +
                             quoted(at("pair/fixed.nii.gz")) + " --out " + quoted(at(name)));
    if (r.err.find("without LibTorch") != std::string::npos) GTEST_SKIP() << "no LibTorch";
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  EXPECT_EQ(bytes_of(at("seg_a.nii.gz")), bytes_of(at("seg_b.nii.gz")));
}

}  // namespace
}  // namespace modir
