#pragma once

// A phantom pair written once for a suite of command-line tests, with the arguments that name
// its files: the fixture of every suite that runs `modir` on one pair.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/test_support.h"

namespace modir::test {

class PhantomPairSuite : public ::testing::Test {
 protected:
  /// `modir phantom --quiet <phantom_options> --out DIR/pair`, plus DIR/fast.json: two deformable
  /// levels with few iterations, which keep registrations short on two cores. Call from the
  /// suite's SetUpTestSuite; suites run one after another, so they share the one folder slot.
  static void make_pair(const std::string& phantom_options) {
    dir_ = new TempDir();
    const RunResult r = run_modir("phantom --quiet " + phantom_options + " --out " +
                                  quoted(pair("")));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::ofstream(out("fast.json")) << R"({"deformable": {"levels": 2, "iterations": [30, 20]}})";
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static std::filesystem::path pair(const std::string& name) { return dir_->path() / "pair" / name; }
  static std::filesystem::path out(const std::string& name) { return dir_->path() / name; }
  static nlohmann::json read_json(const std::filesystem::path& path) {
    std::ifstream stream(path);
    return nlohmann::json::parse(stream);
  }
  /// --fixed and --moving of the pair.
  static std::string images() {
    return " --fixed " + quoted(pair("fixed.nii.gz")) + " --moving " +
           quoted(pair("moving.nii.gz"));
  }
  static std::string labels() {
    return " --fixed-labels " + quoted(pair("fixed_labels.nii.gz")) + " --moving-labels " +
           quoted(pair("moving_labels.nii.gz"));
  }
  static std::string landmarks() {
    return " --fixed-landmarks " + quoted(pair("fixed_landmarks.csv")) + " --moving-landmarks " +
           quoted(pair("moving_landmarks.csv"));
  }

  static inline TempDir* dir_ = nullptr;
};

}  // namespace modir::test
