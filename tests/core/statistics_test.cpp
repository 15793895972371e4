#include "modir/core/statistics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace modir {
namespace {

// Expected values as numpy.percentile(values, p) gives them.
TEST(Percentile, InterpolatesLinearlyBetweenOrderStatistics) {
  EXPECT_DOUBLE_EQ(percentile(std::vector<double>{4, 1, 3, 2}, 50), 2.5);
  EXPECT_NEAR(percentile(std::vector<double>{0, 5, 1, 2}, 95), 4.55, 1e-12);  // rank 2.85 between 2 and 5
  EXPECT_DOUBLE_EQ(percentile(std::vector<double>{7}, 95), 7.0);
  EXPECT_DOUBLE_EQ(percentile(std::vector<double>{3, 9, 1}, 0), 1.0);
  EXPECT_DOUBLE_EQ(percentile(std::vector<double>{3, 9, 1}, 100), 9.0);
  std::vector<double> ramp;
  for (int v = 0; v <= 100; ++v) ramp.push_back(100 - v);
  EXPECT_DOUBLE_EQ(percentile(ramp, 95), 95.0);
}

TEST(Percentile, FloatSamplesGiveTheFiguresOfTheirDoubleValues) {
  const std::vector<float> f{0.1f, 5.5f, 1.25f, 2.0f};
  const std::vector<double> d(f.begin(), f.end());
  for (const double p : {0.5, 50.0, 95.0, 99.5}) EXPECT_EQ(percentile(f, p), percentile(d, p));
}

TEST(Median, IsTheMiddleValueOrTheMeanOfTheTwoMiddleOnes) {
  EXPECT_DOUBLE_EQ(median(std::vector<double>{5, 1, 3}), 3.0);
  EXPECT_DOUBLE_EQ(median(std::vector<double>{5, 1, 3, 2}), 2.5);
  EXPECT_TRUE(std::isnan(median(std::vector<double>{})));
}

TEST(Percentile, EmptySetIsNaN) {
  EXPECT_TRUE(std::isnan(percentile(std::vector<double>{}, 95)));
  EXPECT_TRUE(std::isnan(mean({})));
  EXPECT_DOUBLE_EQ(mean({1, 2, 6}), 3.0);
}

}  // namespace
}  // namespace modir
