#include "modir/filter/gaussian_blur.h"

#include <gtest/gtest.h>

#include <cmath>

namespace modir::filter {
namespace {

TEST(GaussianBlur, ConstantStaysAndImpulseHasTheRightWidth) {
  Geometry g;
  g.size = {41, 5, 5};
  g.spacing = {0.5, 1, 1};
  Image<float> constant(g, 7.0f);
  gaussian_blur(constant, {2.0, 1.0, 1.0});
  for (const float v : constant.buffer()) EXPECT_NEAR(v, 7.0f, 1e-5);

  Image<float> impulse(g, 0.0f);
  impulse(20, 2, 2) = 1.0f;
  gaussian_blur(impulse, {2.0, 0.0, 0.0});  // along x only: 4 voxels sigma
  double sum = 0, second_moment = 0;
  for (std::int64_t i = 0; i < 41; ++i) {
    sum += impulse(i, 2, 2);
    const double x_mm = (static_cast<double>(i) - 20.0) * 0.5;
    second_moment += impulse(i, 2, 2) * x_mm * x_mm;
  }
  EXPECT_NEAR(sum, 1.0, 1e-6);
  EXPECT_NEAR(std::sqrt(second_moment), 2.0, 0.02);  // sigma in mm
  EXPECT_EQ(impulse(20, 1, 2), 0.0f);                // untouched along y
}

}  // namespace
}  // namespace modir::filter
