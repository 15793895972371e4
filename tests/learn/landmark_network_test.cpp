// The landmark network: training lowers its loss, a scan computed in chunks equals one forward
// pass, its model folder is checked when read.

#include <gtest/gtest.h>

#include <fstream>

#include "landmarks/synthetic_scan.h"
#include "modir/core/error.h"
#include "modir/core/parallel.h"
#include "modir/learn/landmark_network.h"
#include "modir/learn/libtorch/landmark_inference.h"
#include "modir/learn/libtorch/torch_support.h"
#include "support/test_support.h"

namespace modir::learn {
namespace {

namespace fs = std::filesystem;

/// A structured scan and the same scan seen 6 mm further along x: the fixed point x corresponds
/// to the moving point x + (6, 0, 0) mm.
LandmarkTrainingPair shifted_pair() {
  LandmarkTrainingPair p;
  p.name = "shifted";
  p.fixed = test::structured_scan(7, {40, 36, 28});
  Geometry g = p.fixed.geometry();
  g.origin.x += 6.0;
  p.moving = Image<float>(g);
  p.moving.buffer() = p.fixed.buffer();
  p.truth = DisplacementField(p.fixed.geometry(), Vec3f{6.0f, 0.0f, 0.0f});
  p.fixed_region = Image<std::uint8_t>(p.fixed.geometry(), 1);
  p.moving_region = Image<std::uint8_t>(p.moving.geometry(), 1);
  return p;
}

TEST(LandmarkNetwork, AFewTrainingStepsLowerTheLoss) {
  const test::TempDir dir;
  LandmarkTrainOptions o;
  o.out = dir.path();
  o.spec = {2.0, 8, 16, 8};
  o.steps = 48;
  o.patch = 16;
  o.points = 48;
  o.log_every = 16;
  o.learning_rate = 3e-3;
  Progress quiet(ProgressStyle::kQuiet);
  // One thread: small patches are all synchronisation with two.
  set_thread_count(1);
  const LandmarkTrainResult r = train_landmark_network({shifted_pair()}, o, quiet);
  set_thread_count(0);
  ASSERT_EQ(r.log.size(), 3u);
  EXPECT_LT(r.log.back().loss, 0.9 * r.log.front().loss)
      << r.log.front().loss << " -> " << r.log.back().loss;
  EXPECT_GT(r.log.back().match_accuracy, r.log.front().match_accuracy);
  // The folder it wrote loads, and describes what was trained.
  const LandmarkNetwork network(dir.path(), Device::kCpu);
  EXPECT_EQ(network.spec().descriptor_channels, 8);
  EXPECT_TRUE(fs::exists(dir.path() / "training_log.csv"));
}

TEST(LandmarkNetwork, AScanComputedInChunksEqualsOneForwardPass) {
  torch::manual_seed(5);
  LandmarkNet net(LandmarkNetworkSpec{2.0, 8, 16, 8});
  net->eval();
  // Sizes that are not multiples of 8, chunks that are not multiples of 2.
  const Image<float> scan = test::structured_scan(9, {30, 27, 45});
  const LandmarkFeatures chunks = landmark_features(net, scan, torch::kCPU, 7);
  torch::NoGradGuard no_grad;
  auto [logits, descriptors] = net->forward(network_channels(image_tensor(scan)));
  const torch::Tensor heat = torch::sigmoid(logits).contiguous();
  const torch::Tensor desc = descriptors.squeeze(0).permute({1, 2, 3, 0}).contiguous();
  ASSERT_EQ(std::size_t(desc.numel()), chunks.descriptors.size());
  float worst = 0.0f;
  for (std::size_t i = 0; i < chunks.descriptors.size(); ++i)
    worst = std::max(worst, std::abs(desc.data_ptr<float>()[i] - chunks.descriptors[i]));
  for (std::int64_t i = 0; i < scan.voxel_count(); ++i)
    worst = std::max(worst, std::abs(heat.data_ptr<float>()[i] - chunks.heat.data()[i]));
  EXPECT_LT(worst, 1e-5f);
}

TEST(LandmarkNetwork, AModelFolderIsCheckedWhenRead) {
  const test::TempDir dir;
  EXPECT_THROW(read_landmark_spec(dir.path()), Error);
  std::ofstream(dir.path() / kLandmarkSpecFile) << R"({"format": "modir-segmentation"})";
  EXPECT_THROW(read_landmark_spec(dir.path()), Error);
  write_landmark_spec({2.0, 16, 32, 16}, dir.path());
  EXPECT_EQ(read_landmark_spec(dir.path()).context_features, 32);
  std::ofstream(dir.path() / kLandmarkSpecFile)
      << R"({"format": "modir-landmark-network", "version": 1, "spacing_mm": 2, "features": 0,
            "context_features": 32, "descriptor_channels": 16})";
  EXPECT_THROW(read_landmark_spec(dir.path()), Error);
}

}  // namespace
}  // namespace modir::learn
