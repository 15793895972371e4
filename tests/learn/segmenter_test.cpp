#include <gtest/gtest.h>

#include <fstream>

#include <torch/cuda.h>

#include "learn/model_fixture.h"
#include "modir/io/image_io.h"
#include "modir/learn/quality_check.h"
#include "modir/learn/segmenter.h"
#include "support/test_support.h"

namespace modir::learn {
namespace {

namespace fs = std::filesystem;

LabelMap predict_with_tiny_model(const Image<float>& image, const test::TempDir& dir) {
  test::write_tiny_model(dir / "model", test::tiny_plan(12.0));
  const Segmenter segmenter(dir / "model", Device::kCpu);
  Progress quiet(ProgressStyle::kQuiet);
  return segmenter.predict(image, PredictOptions{}, quiet);
}

void expect_valid_labels(const LabelMap& labels) {
  for (const std::uint16_t v : labels.buffer()) {
    ASSERT_TRUE(v == 0 || v == 3 || v == 7) << v;
  }
}

// Real scans with flipped axes (negative direction cosines) and anisotropic voxels: the label
// map must come back on exactly the scan's grid.
class RealScanGeometry : public ::testing::TestWithParam<const char*> {};

TEST_P(RealScanGeometry, PredictionHasTheInputGrid) {
  const fs::path path = test::shared_data() / "segmentation" / GetParam();
  const Image<float> image = io::read_image_as<float>(path);
  test::TempDir dir;
  const LabelMap labels = predict_with_tiny_model(image, dir);
  EXPECT_EQ(labels.size(), image.size());
  EXPECT_TRUE(labels.geometry().same_grid(image.geometry(), 1e-9));
  expect_valid_labels(labels);
}

INSTANTIATE_TEST_SUITE_P(
    SharedData, RealScanGeometry,
    ::testing::Values("pyradiomics/brain1_image.nrrd",                // y flipped, 6.5 mm slices
                      "pyradiomics/prostate_phantom_subvolume.nrrd",  // x and y flipped
                      "pyradiomics/breast1_image.nrrd",               // identity, small
                      "colin27_aal/ch2bet.nii.gz"));                  // x and y flipped, 1 mm

TEST(Segmenter, PredictionOfAnObliqueScanHasItsGrid) {
  const Image<float> image =
      test::random_image<float>(test::oblique_geometry({30, 20, 9}), -100, 300, 3);
  test::TempDir dir;
  const LabelMap labels = predict_with_tiny_model(image, dir);
  EXPECT_TRUE(labels.geometry().same_grid(image.geometry(), 1e-9));
  expect_valid_labels(labels);
}

// --mirror averages the prediction with its mirror image; QC's views stay single predictions,
// or a mirrored view would agree with the prediction by construction.
TEST(Segmenter, QcViewsAreSinglePredictionsWhateverTheMirrorOption) {
  const fs::path path = test::shared_data() / "segmentation" / "pyradiomics/breast1_image.nrrd";
  const Image<float> image = io::read_image_as<float>(path);
  test::TempDir dir;
  test::write_tiny_model(dir / "model", test::tiny_plan(12.0));
  const Segmenter segmenter(dir / "model", Device::kCpu);
  Progress quiet(ProgressStyle::kQuiet);
  PredictOptions single, averaged;
  single.body_from_ct = averaged.body_from_ct = false;  // not a CT: keep the network's word
  averaged.mirror = true;
  // The untrained network is not symmetric: the option changes its prediction...
  EXPECT_NE(segmenter.predict(image, averaged, quiet).buffer(),
            segmenter.predict(image, single, quiet).buffer());
  // ...but not QC's views.
  const std::vector<LabelMap> a = predict_variants(segmenter, image, single, quiet);
  const std::vector<LabelMap> b = predict_variants(segmenter, image, averaged, quiet);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t v = 0; v < a.size(); ++v) EXPECT_EQ(a[v].buffer(), b[v].buffer()) << v;
}

TEST(Segmenter, CorruptWeightsAreAClearDataError) {
  test::TempDir dir;
  test::write_tiny_model(dir / "model");
  std::ofstream(dir / "model" / "weights.pt", std::ios::trunc) << "not a torch archive";
  const Error e = test::error_of([&] { Segmenter(dir / "model", Device::kCpu); });
  EXPECT_EQ(e.kind(), ErrorKind::kData);
  EXPECT_NE(std::string(e.what()).find("weights.pt"), std::string::npos) << e.what();
  EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
}

TEST(Segmenter, WeightsThatDoNotMatchThePlanAreAClearDataError) {
  test::TempDir dir;
  test::write_tiny_model(dir / "model");
  SegmentationPlan wider = test::tiny_plan();
  wider.base_channels = 32;
  write_plan(wider, dir / "model");
  const Error e = test::error_of([&] { Segmenter(dir / "model", Device::kCpu); });
  EXPECT_NE(std::string(e.what()).find("cannot load the weights"), std::string::npos) << e.what();
}

TEST(Segmenter, AModelFromAnotherVersionIsRefused) {
  test::TempDir dir;
  SegmentationPlan old = test::tiny_plan();
  old.modir_version = "0.0.7";
  test::write_tiny_model(dir / "model", old);
  const Error e = test::error_of([&] { Segmenter(dir / "model", Device::kCpu); });
  EXPECT_NE(std::string(e.what()).find("trained by modir 0.0.7"), std::string::npos) << e.what();
}

TEST(Segmenter, AMissingModelFolderIsAClearDataError) {
  test::TempDir dir;
  const Error e = test::error_of([&] { Segmenter(dir / "nothing", Device::kCpu); });
  EXPECT_NE(std::string(e.what()).find("not a modir model folder"), std::string::npos);
}

TEST(Segmenter, CudaWithoutAGpuIsAUsageError) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "a CUDA GPU is visible";
  const Error e = test::error_of([] { parse_device("cuda"); });
  EXPECT_EQ(e.kind(), ErrorKind::kUsage);
  EXPECT_NE(std::string(e.what()).find("--device cpu"), std::string::npos);
}

}  // namespace
}  // namespace modir::learn
