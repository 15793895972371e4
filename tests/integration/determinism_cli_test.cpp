// The same inputs, config and thread count give byte-identical outputs (timings aside, which
// report.json, front.json and summary.json record): register, the front, segment predict and
// landmarks match. On these pairs a different thread count gives the same bytes too.

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "support/phantom_pair_suite.h"
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

class DeterminismCli : public test::PhantomPairSuite {
 protected:
  static void SetUpTestSuite() { make_pair("--seed 6 --size small --deformation large"); }
  static std::string guided_register(const fs::path& out_dir, int threads,
                                     const std::string& more = "") {
    return "register --quiet --threads " + std::to_string(threads) + images() + labels() +
           " --config " + quoted(out("fast.json")) + " --out " + quoted(out_dir) + more;
  }
};

TEST_F(DeterminismCli, RepeatedRegistrationsAreByteIdentical) {
  for (const auto& [name, threads] :
       {std::pair{"a", 2}, std::pair{"b", 2}, std::pair{"one_thread", 1}}) {
    const auto r = run_modir(guided_register(out(name), threads));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  for (const char* file : {"displacement.nii.gz", "warped.nii.gz", "warped_labels.nii.gz",
                           "jacobian.nii.gz", "transform.json"}) {
    const std::string a = bytes_of(out("a") / file);
    EXPECT_FALSE(a.empty()) << file;
    EXPECT_EQ(a, bytes_of(out("b") / file)) << file;
    EXPECT_EQ(a, bytes_of(out("one_thread") / file)) << file << " with one thread";
  }
}

TEST_F(DeterminismCli, RepeatedFrontsAreByteIdentical) {
  for (const char* name : {"front_a", "front_b"}) {
    const auto r = run_modir(guided_register(out(name), 2, " --pareto 3"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  for (const char* file : {"solutions/solution_00.json", "solutions/solution_01.json",
                           "solutions/solution_02.json", "displacement.nii.gz"}) {
    EXPECT_EQ(bytes_of(out("front_a") / file), bytes_of(out("front_b") / file)) << file;
  }
}

TEST_F(DeterminismCli, RepeatedLandmarkMatchesAreByteIdentical) {
  for (const auto& [name, threads] :
       {std::pair{"lm_a", 2}, std::pair{"lm_b", 2}, std::pair{"lm_one_thread", 1}}) {
    const auto r = run_modir("landmarks match --quiet --threads " + std::to_string(threads) +
                             images() + labels() + " --out " + quoted(out(name)));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  for (const char* file :
       {"fixed_landmarks.csv", "moving_landmarks.csv", "matches.csv", "landmarks.png"}) {
    const std::string a = bytes_of(out("lm_a") / file);
    ASSERT_FALSE(a.empty()) << file;
    EXPECT_EQ(a, bytes_of(out("lm_b") / file)) << file;
    EXPECT_EQ(a, bytes_of(out("lm_one_thread") / file)) << file << " with one thread";
  }
}

TEST_F(DeterminismCli, RepeatedPredictionsAreByteIdentical) {
  for (const char* name : {"seg_a.nii.gz", "seg_b.nii.gz"}) {
    const auto r = run_modir("segment predict --quiet --no-qc --threads 2 --image " +
                             quoted(pair("fixed.nii.gz")) + " --out " + quoted(out(name)));
    if (r.err.find("without LibTorch") != std::string::npos) GTEST_SKIP() << "no LibTorch";
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  EXPECT_EQ(bytes_of(out("seg_a.nii.gz")), bytes_of(out("seg_b.nii.gz")));
}

}  // namespace
}  // namespace modir
