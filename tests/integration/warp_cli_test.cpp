// End-to-end tests of `modir warp` on a phantom pair, whose ground-truth displacement field takes
// the moving scan onto the fixed one: warped labels must overlap the fixed labels, and mapped
// fixed landmarks must land on the moving landmarks.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <string>

#include "modir/io/image_io.h"
#include "modir/io/point_io.h"
#include "support/test_support.h"

namespace modir {
namespace {

namespace fs = std::filesystem;
using test::quoted;
using test::run_modir;

// One phantom pair shared by the tests of this file (generating it takes a moment).
class WarpCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    const auto r = run_modir("phantom --quiet --seed 5 --size small --out " + quoted(pair("")));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static fs::path pair(const std::string& name) { return dir_->path() / "pair" / name; }
  static fs::path out(const std::string& name) { return dir_->path() / name; }
  static std::string gt() { return " --displacement " + quoted(pair("gt_displacement.nii.gz")); }

  static test::TempDir* dir_;
};

test::TempDir* WarpCli::dir_ = nullptr;

// The moving scan has a shorter, shifted field of view: fixed voxels that map outside it get the
// --outside value, chosen here as a marker that no real voxel holds, and are left out of the
// comparisons.
constexpr std::uint16_t kOutsideLabel = 65535;
constexpr std::int16_t kOutsideValue = -32768;

// Dice of every label of `truth` other than background, by label value, over the voxels whose
// result is not kOutsideLabel.
std::map<std::uint16_t, double> dice_per_label(const LabelMap& truth, const LabelMap& result) {
  std::map<std::uint16_t, std::int64_t> in_truth, in_result, both;
  for (std::int64_t v = 0; v < truth.voxel_count(); ++v) {
    const std::uint16_t t = truth.data()[v], r = result.data()[v];
    if (r == kOutsideLabel) continue;
    ++in_truth[t];
    ++in_result[r];
    if (t == r) ++both[t];
  }
  std::map<std::uint16_t, double> dice;
  for (const auto& [label, count] : in_truth) {
    if (label == 0) continue;
    dice[label] =
        2.0 * static_cast<double>(both[label]) / static_cast<double>(count + in_result[label]);
  }
  return dice;
}

// Mean |a - b| over the voxels where `mask` does not hold kOutsideValue.
double mean_abs_difference(const Image<float>& a, const Image<float>& b, const Image<float>& mask) {
  double sum = 0.0;
  std::int64_t count = 0;
  for (std::int64_t v = 0; v < a.voxel_count(); ++v) {
    if (mask.data()[v] == kOutsideValue) continue;
    sum += std::abs(a.data()[v] - b.data()[v]);
    ++count;
  }
  return sum / static_cast<double>(count);
}

TEST_F(WarpCli, WarpedLabelsOverlapTheFixedLabels) {
  const auto r = run_modir("warp --quiet --labels --outside 65535 --moving " +
                           quoted(pair("moving_labels.nii.gz")) + gt() + " --out " +
                           quoted(out("labels.nii.gz")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const AnyImage warped = io::read_image(out("labels.nii.gz"));
  EXPECT_EQ(pixel_type_of(warped), PixelType::kUInt16);
  const LabelMap fixed = io::read_image_as<std::uint16_t>(pair("fixed_labels.nii.gz"));
  const LabelMap result = std::get<LabelMap>(warped);
  ASSERT_TRUE(result.geometry().same_grid(fixed.geometry()));
  const auto dice = dice_per_label(fixed, result);
  EXPECT_GE(dice.size(), 6u);
  for (const auto& [label, d] : dice) EXPECT_GT(d, 0.9) << "label " << label;

  // Without the ground truth the organs would not overlap as well: the test measures the field.
  const LabelMap unwarped = io::read_image_as<std::uint16_t>(pair("moving_labels.nii.gz"));
  EXPECT_LT(dice_per_label(fixed, unwarped).at(3), dice.at(3) - 0.05);  // the bladder
}

TEST_F(WarpCli, WarpedImageResemblesTheFixedImage) {
  const auto r =
      run_modir("warp --quiet --outside -32768 --moving " + quoted(pair("moving.nii.gz")) + gt() +
                " --out " + quoted(out("moving_warped.nii.gz")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const io::ImageInfo info = io::read_image_info(out("moving_warped.nii.gz"));
  EXPECT_EQ(info.pixel_type, PixelType::kInt16);
  const Image<float> fixed = io::read_image_as<float>(pair("fixed.nii.gz"));
  const Image<float> moving = io::read_image_as<float>(pair("moving.nii.gz"));
  const Image<float> warped = io::read_image_as<float>(out("moving_warped.nii.gz"));
  ASSERT_TRUE(warped.geometry().same_grid(fixed.geometry()));
  EXPECT_LT(mean_abs_difference(warped, fixed, warped),
            0.7 * mean_abs_difference(moving, fixed, warped));
}

TEST_F(WarpCli, MappedFixedLandmarksLandOnTheMovingLandmarks) {
  const auto r = run_modir("warp --quiet --points " + quoted(pair("fixed_landmarks.csv")) + gt() +
                           " --out " + quoted(out("mapped.csv")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const PointPairs pairs =
      pair_by_id(io::read_points(out("mapped.csv")), io::read_points(pair("moving_landmarks.csv")));
  ASSERT_GE(pairs.ids.size(), 100u);
  for (std::size_t p = 0; p < pairs.ids.size(); ++p) {
    EXPECT_LT((pairs.fixed[p] - pairs.moving[p]).norm(), 0.05) << pairs.ids[p];
  }
}

// A reference grid holding the fixed voxels in another order (x reversed, direction flipped):
// the field is resampled onto it and the result is the same labels, mirrored in index space.
TEST_F(WarpCli, ReferenceWithAnotherDirectionGivesTheSameLabels) {
  const LabelMap fixed = io::read_image_as<std::uint16_t>(pair("fixed_labels.nii.gz"));
  Geometry flipped = fixed.geometry();
  const std::int64_t nx = flipped.size[0];
  flipped.origin = fixed.geometry().index_to_world({static_cast<double>(nx - 1), 0, 0});
  for (int r = 0; r < 3; ++r) flipped.direction(r, 0) = -flipped.direction(r, 0);
  io::write_image(Image<std::int16_t>(flipped), out("flipped_reference.nii.gz"));

  const auto r = run_modir("warp --quiet --labels --outside 65535 --moving " +
                           quoted(pair("moving_labels.nii.gz")) + gt() + " --reference " +
                           quoted(out("flipped_reference.nii.gz")) + " --out " +
                           quoted(out("labels_flipped.nii.gz")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const LabelMap result = io::read_image_as<std::uint16_t>(out("labels_flipped.nii.gz"));
  ASSERT_TRUE(result.geometry().same_grid(flipped));
  LabelMap unflipped(fixed.geometry());
  for (std::int64_t k = 0; k < fixed.size()[2]; ++k)
    for (std::int64_t j = 0; j < fixed.size()[1]; ++j)
      for (std::int64_t i = 0; i < nx; ++i) unflipped(i, j, k) = result(nx - 1 - i, j, k);
  for (const auto& [label, d] : dice_per_label(fixed, unflipped)) {
    EXPECT_GT(d, 0.9) << "label " << label;
  }
}

// Names of a label map made from an RTSTRUCT travel with it; counts are redone on the new grid.
TEST_F(WarpCli, LabelSidecarIsCarriedOver) {
  fs::copy_file(pair("moving_labels.nii.gz"), out("organs.nii.gz"));
  std::ofstream(out("organs.json"))
      << R"({"labels": [{"value": 3, "name": "Bladder", "voxels": 1, "overlap_voxels_lost": 2}]})";
  const auto r = run_modir("warp --quiet --labels --moving " + quoted(out("organs.nii.gz")) + gt() +
                           " --out " + quoted(out("organs_warped.nii.gz")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream stream(out("organs_warped.json"));
  const nlohmann::json sidecar = nlohmann::json::parse(stream);
  const nlohmann::json& bladder = sidecar["labels"][0];
  EXPECT_EQ(bladder["name"], "Bladder");
  EXPECT_FALSE(bladder.contains("overlap_voxels_lost"));
  const LabelMap warped = io::read_image_as<std::uint16_t>(out("organs_warped.nii.gz"));
  const auto bladder_voxels = std::count(warped.buffer().begin(), warped.buffer().end(), 3);
  EXPECT_GT(bladder_voxels, 1000);
  EXPECT_EQ(bladder["voxels"].get<std::int64_t>(), bladder_voxels);
}

// Failures exit with the documented status and one line on stderr naming the problem (progress
// lines of phases finished before the error may precede it).
void expect_error(const test::RunResult& r, int code, const std::string& fragment) {
  EXPECT_EQ(r.exit_code, code) << r.err;
  const auto at = r.err.find("modir: error: ");
  ASSERT_NE(at, std::string::npos) << r.err;
  const std::string line = r.err.substr(at);
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1) << r.err;
  EXPECT_NE(line.find(fragment), std::string::npos) << "expected '" << fragment << "' in " << r.err;
}

TEST_F(WarpCli, ErrorsAreOneLineWithTheDocumentedExitStatus) {
  const std::string labels = " --moving " + quoted(pair("moving_labels.nii.gz"));
  const std::string to_x = " --out " + quoted(out("x.nii.gz"));
  expect_error(run_modir("warp --moving " + quoted(out("missing.nii.gz")) + gt() + to_x), 1,
               "missing.nii.gz");
  expect_error(run_modir("warp" + labels + gt()), 2, "--out");
  expect_error(run_modir("warp" + gt() + to_x), 2, "exactly one of --moving");
  expect_error(
      run_modir("warp" + labels + " --points " + quoted(pair("fixed_landmarks.csv")) + gt() + to_x),
      2, "exactly one of --moving");
  expect_error(run_modir("warp" + labels + gt() + " --out " + quoted(pair("moving_labels.nii.gz"))),
               2, "same file");
  expect_error(run_modir("warp" + labels + gt() + " --out " + quoted(out("x.png"))), 2, "x.png");
  expect_error(run_modir("warp --labels --outside 1.5" + labels + gt() + to_x), 2, "--outside");
  expect_error(run_modir("warp --points " + quoted(pair("fixed_landmarks.csv")) + " --labels" +
                         gt() + " --out " + quoted(out("q.csv"))),
               2, "--labels");

  // A 2D image is not a moving volume.
  expect_error(
      run_modir("warp --moving " +
                quoted(test::shared_data() / "registration/ct2d_head/CT_2D_head_moving.mha") +
                gt() + to_x),
      1, "2D");
  // CT numbers (negative HU) are not labels.
  expect_error(run_modir("warp --labels --moving " + quoted(pair("moving.nii.gz")) + gt() + to_x),
               1, "not a label");
  // A scalar image is not a displacement field.
  expect_error(
      run_modir("warp" + labels + " --displacement " + quoted(pair("moving.nii.gz")) + to_x), 1,
      "displacement field");
  // A fixed point far outside the field is an error naming it.
  std::ofstream(out("far.csv")) << "id,x,y,z\nnear_the_moon,0,0,384400000\n";
  expect_error(run_modir("warp --points " + quoted(out("far.csv")) + gt() + " --out " +
                         quoted(out("q.csv"))),
               1, "near_the_moon");
  // Nothing is left behind by a failure.
  EXPECT_FALSE(fs::exists(out("q.csv")));
  EXPECT_FALSE(fs::exists(out("x.nii.gz")));
}

}  // namespace
}  // namespace modir
