// End-to-end test of `modir segment predict` with the shipped models/pelvis on a phantom scan the
// model never saw: labels on the scan's grid and organ overlap checked against the ground truth.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <string>

#include "modir/io/image_io.h"
#include "support/test_support.h"

namespace modir {
namespace {

using nlohmann::json;
using test::quoted;
using test::run_modir;

TEST(SegmentCli, ShippedPelvisModelLabelsAnUnseenPhantom) {
  test::TempDir dir;
  const auto pair =
      run_modir("phantom --quiet --seed 9020 --size small --out " + quoted(dir / "p"));
  ASSERT_EQ(pair.exit_code, 0) << pair.err;
  const auto predict =
      run_modir("segment predict --quiet --image " + quoted(dir / "p/fixed.nii.gz") + " --out " +
                quoted(dir / "labels.nii.gz"));
  if (predict.err.find("without LibTorch") != std::string::npos)
    GTEST_SKIP() << "modir was built without LibTorch";
  ASSERT_EQ(predict.exit_code, 0) << predict.err;
  const LabelMap truth = io::read_image_as<std::uint16_t>(dir / "p/fixed_labels.nii.gz");
  const LabelMap labels = io::read_image_as<std::uint16_t>(dir / "labels.nii.gz");
  EXPECT_TRUE(labels.geometry().same_grid(truth.geometry(), 1e-6));

  const auto evaluate = run_modir(
      "evaluate --quiet --fixed-labels " + quoted(dir / "p/fixed_labels.nii.gz") +
      " --warped-labels " + quoted(dir / "labels.nii.gz") + " --json " + quoted(dir / "e.json"));
  ASSERT_EQ(evaluate.exit_code, 0) << evaluate.err;
  std::ifstream stream(dir / "e.json");
  const json result = json::parse(stream);
  for (const json& label : result["labels"]) {
    const std::string name = label["name"];
    if (name == "bladder" || name == "bone") EXPECT_GT(label["dice"].get<double>(), 0.85) << name;
    if (name == "rectum") EXPECT_GT(label["dice"].get<double>(), 0.7) << name;
  }
}

TEST(SegmentCli, AMissingModelIsAClearError) {
  test::TempDir dir;
  const auto missing = run_modir("segment predict --model " + quoted(dir.path()) +
                                 " --image x.nii.gz --out " + quoted(dir / "l.nii.gz"));
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("modir: error:"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace modir
