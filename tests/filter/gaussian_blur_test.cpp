#include "modir/filter/gaussian_blur.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

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

// Every axis against the definition, written the slow obvious way: a 3-sigma kernel normalised
// to one, the edge replicated. Sizes differ per axis and kernels are wider than some axes, so a
// mixed-up stride or a wrong edge shows.
TEST(GaussianBlur, EveryAxisMatchesTheDirectConvolution) {
  Geometry g;
  g.size = {13, 9, 7};
  g.spacing = {1.0, 0.8, 2.5};
  Image<float> image(g);
  std::mt19937 rng(17);
  std::uniform_real_distribution<float> value(-100.0f, 100.0f);
  for (float& v : image.buffer()) v = value(rng);
  const Vec3d sigma_mm{1.3, 2.0, 4.0};

  Image<double> expected(g);
  for (std::int64_t v = 0; v < image.voxel_count(); ++v) expected.data()[v] = image.data()[v];
  for (int axis = 0; axis < 3; ++axis) {
    const double sigma = sigma_mm[axis] / g.spacing[axis];
    const int radius = std::max(1, static_cast<int>(std::ceil(3.0 * sigma)));
    double norm = 0.0;
    for (int r = -radius; r <= radius; ++r) norm += std::exp(-0.5 * r * r / (sigma * sigma));
    Image<double> out(g);
    for (std::int64_t z = 0; z < g.size[2]; ++z)
      for (std::int64_t y = 0; y < g.size[1]; ++y)
        for (std::int64_t x = 0; x < g.size[0]; ++x) {
          double acc = 0.0;
          for (int r = -radius; r <= radius; ++r) {
            std::array<std::int64_t, 3> at{x, y, z};
            at[static_cast<std::size_t>(axis)] =
                std::clamp<std::int64_t>(at[static_cast<std::size_t>(axis)] + r, 0,
                                         g.size[axis] - 1);
            acc += std::exp(-0.5 * r * r / (sigma * sigma)) / norm * expected(at[0], at[1], at[2]);
          }
          out(x, y, z) = acc;
        }
    expected = std::move(out);
  }
  gaussian_blur(image, sigma_mm);
  for (std::int64_t v = 0; v < image.voxel_count(); ++v)
    ASSERT_NEAR(image.data()[v], expected.data()[v], 1e-3) << "voxel " << v;
}

}  // namespace
}  // namespace modir::filter
