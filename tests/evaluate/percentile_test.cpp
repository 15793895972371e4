#include "modir/evaluate/percentile.h"

#include <gtest/gtest.h>

#include <cmath>

namespace modir::evaluate {
namespace {

// Expected values as numpy.percentile(values, p) gives them.
TEST(Percentile, InterpolatesLinearlyBetweenOrderStatistics) {
  EXPECT_DOUBLE_EQ(percentile({4, 1, 3, 2}, 50), 2.5);
  EXPECT_NEAR(percentile({0, 5, 1, 2}, 95), 4.55, 1e-12);  // rank 2.85 between 2 and 5
  EXPECT_DOUBLE_EQ(percentile({7}, 95), 7.0);
  EXPECT_DOUBLE_EQ(percentile({3, 9, 1}, 0), 1.0);
  EXPECT_DOUBLE_EQ(percentile({3, 9, 1}, 100), 9.0);
  std::vector<double> ramp;
  for (int v = 0; v <= 100; ++v) ramp.push_back(100 - v);
  EXPECT_DOUBLE_EQ(percentile(ramp, 95), 95.0);
}

TEST(Percentile, EmptySetIsNaN) {
  EXPECT_TRUE(std::isnan(percentile({}, 95)));
  EXPECT_TRUE(std::isnan(mean({})));
  EXPECT_DOUBLE_EQ(mean({1, 2, 6}), 3.0);
}

}  // namespace
}  // namespace modir::evaluate
