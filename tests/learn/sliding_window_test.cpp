#include <gtest/gtest.h>
#include <torch/nn.h>
#include <torch/utils.h>

#include <cmath>
#include <numeric>

#include "learn/model_fixture.h"
#include "modir/learn/libtorch/inference.h"
#include "modir/learn/sliding_window.h"
#include "support/test_support.h"

namespace modir::learn {
namespace {

Image<float> random_volume(const Size3& size, unsigned seed) {
  Geometry g;
  g.size = size;
  return test::random_image<float>(g, -2.0, 2.0, seed);
}

double max_difference(const ClassScores& a, const ClassScores& b) {
  double worst = 0.0;
  for (std::size_t i = 0; i < a.values.size(); ++i)
    worst = std::max(worst, double(std::abs(a.values[i] - b.values[i])));
  return worst;
}

TEST(WindowStarts, CoverTheAxisWithTheRequestedOverlap) {
  EXPECT_EQ(window_starts(16, 16, 0.5), (std::vector<std::int64_t>{0}));
  EXPECT_EQ(window_starts(32, 16, 0.5), (std::vector<std::int64_t>{0, 8, 16}));
  const auto starts = window_starts(100, 32, 0.5);
  EXPECT_EQ(starts.front(), 0);
  EXPECT_EQ(starts.back(), 100 - 32);
  for (std::size_t i = 1; i < starts.size(); ++i) EXPECT_LE(starts[i] - starts[i - 1], 16);
}

TEST(GaussianImportance, PeaksAtTheCentreAndStaysPositive) {
  const auto w = gaussian_importance({9, 5, 7});
  EXPECT_FLOAT_EQ(w[4 + 9 * (2 + 5 * 3)], 1.0f);
  EXPECT_GE(*std::min_element(w.begin(), w.end()), 1e-3f);
  EXPECT_LT(w[0], 0.1f);
}

TEST(SlidingWindow, EqualsWholeVolumeInferenceWhenOneWindowCoversTheVolume) {
  SegmentationPlan plan = test::tiny_plan();
  UNet net = test::tiny_unet(plan);
  const Image<float> volume = random_volume({16, 16, 16}, 5);
  const ClassScores whole = whole_volume_scores(net, volume, torch::kCPU);
  const ClassScores windows =
      sliding_window_scores(net, volume, plan, PredictOptions{}, torch::kCPU, nullptr);
  ASSERT_EQ(whole.values.size(), windows.values.size());
  EXPECT_LT(max_difference(whole, windows), 1e-5);
}

TEST(SlidingWindow, BlendsOverlappingWindowsIntoNormalisedProbabilities) {
  // Windows overlap on a volume of 1.5 patches; the probabilities of every voxel still sum to 1
  // and a network that ignores its input (all weights zero) gives its constant everywhere.
  SegmentationPlan plan = test::tiny_plan();
  UNet net = test::tiny_unet(plan);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : net->parameters()) p.zero_();
  }
  const Image<float> volume = random_volume({24, 16, 16}, 6);
  const ClassScores windows =
      sliding_window_scores(net, volume, plan, PredictOptions{}, torch::kCPU, nullptr);
  const ClassScores whole = whole_volume_scores(net, volume, torch::kCPU);
  EXPECT_LT(max_difference(whole, windows), 1e-6);
  const std::int64_t n = volume.voxel_count();
  for (std::int64_t i = 0; i < n; i += 97) {
    double sum = 0;
    for (int c = 0; c < windows.channels; ++c) sum += windows.values[std::size_t(c * n + i)];
    EXPECT_NEAR(sum, 1.0, 1e-5);
  }
}

TEST(SlidingWindow, MirroringAveragesAMirroredPass) {
  SegmentationPlan plan = test::tiny_plan();
  UNet net = test::tiny_unet(plan);
  const Image<float> volume = random_volume({16, 16, 16}, 7);
  PredictOptions mirrored;
  mirrored.mirror = true;
  const ClassScores plain = sliding_window_scores(net, volume, plan, {}, torch::kCPU, nullptr);
  const ClassScores tta = sliding_window_scores(net, volume, plan, mirrored, torch::kCPU, nullptr);
  EXPECT_GT(max_difference(plain, tta), 1e-6);  // an untrained network is not symmetric
  EXPECT_LT(max_difference(plain, tta), 1.0);
}

}  // namespace
}  // namespace modir::learn
