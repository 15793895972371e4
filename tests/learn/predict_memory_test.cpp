#include "modir/learn/predict_memory.h"

#include <gtest/gtest.h>

namespace modir::learn {
namespace {

Geometry grid(Size3 size, Vec3d spacing) {
  Geometry g;
  g.size = size;
  g.spacing = spacing;
  return g;
}

SegmentationPlan pelvis_like_plan() {
  SegmentationPlan plan;
  plan.spacing = {3.0, 3.0, 3.0};
  plan.normalisation.scheme = "ct";
  return plan;
}

// The measured peaks of docs/segmentation.md, "Memory", within the residuals stated there.
TEST(PredictMemory, EstimatesMatchTheMeasuredPeaks) {
  const SegmentationPlan plan = pelvis_like_plan();
  const Geometry large = grid({512, 512, 160}, {0.9, 0.9, 2.5});
  const Geometry medium = grid({256, 256, 96}, {1.0, 1.0, 3.0});
  // Without the outline: the network's scores decide.
  EXPECT_NEAR(estimate_predict_memory(large, plan, false, false).peak_mib, 615, 0.05 * 615);
  EXPECT_NEAR(estimate_predict_memory(large, plan, true, false).peak_mib, 1253, 0.05 * 1253);
  // With it, the outline's work on the scan's grid sets the large scan's peak.
  EXPECT_NEAR(estimate_predict_memory(large, plan, false, true).peak_mib, 908, 0.05 * 908);
  EXPECT_NEAR(estimate_predict_memory(large, plan, true, true).peak_mib, 1485, 0.05 * 1485);
  EXPECT_NEAR(estimate_predict_memory(medium, plan, false, true).peak_mib, 377, 0.05 * 377);
  EXPECT_NEAR(estimate_predict_memory(medium, plan, true, true).peak_mib, 463, 0.05 * 463);
}

TEST(PredictMemory, TheOutlineIsOnlyCountedForCtModels) {
  SegmentationPlan plan = pelvis_like_plan();
  plan.normalisation.scheme = "zscore";
  const Geometry large = grid({512, 512, 160}, {0.9, 0.9, 2.5});
  EXPECT_DOUBLE_EQ(estimate_predict_memory(large, plan, true, true).peak_mib,
                   estimate_predict_memory(large, plan, true, false).peak_mib);
}

}  // namespace
}  // namespace modir::learn
