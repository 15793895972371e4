#include "modir/objective/similarity/local_ncc.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "support/test_support.h"

namespace modir::objective {
namespace {

Image<float> blobs(const Geometry& g, unsigned seed) {
  Image<float> image(g);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  for (std::int64_t z = 0; z < g.size[2]; ++z)
    for (std::int64_t y = 0; y < g.size[1]; ++y)
      for (std::int64_t x = 0; x < g.size[0]; ++x)
        image(x, y, z) =
            float(100 * std::sin(0.5 * x + 0.3 * y) * std::cos(0.4 * z) + 40 * u(rng) + 500);
  return image;
}

void check_gradient(WindowSum::Kind kind, const VoxelWeights* mask) {
  Geometry g;
  g.size = {12, 10, 8};
  g.spacing = {1.0, 1.5, 2.0};
  const Image<float> fixed = blobs(g, 1);
  Image<float> warped = blobs(g, 2);
  LocalNcc lncc(kind, 2.0);
  Image<float> gradient;
  lncc.evaluate(fixed, warped, mask, &gradient);
  std::mt19937 rng(5);
  std::uniform_int_distribution<std::int64_t> voxel(0, warped.voxel_count() - 1);
  for (int k = 0; k < 20; ++k) {
    const std::int64_t v = voxel(rng);
    const float original = warped.data()[v];
    const float h = 0.5f;
    warped.data()[v] = original + h;
    const double plus = lncc.evaluate(fixed, warped, mask, nullptr);
    warped.data()[v] = original - h;
    const double minus = lncc.evaluate(fixed, warped, mask, nullptr);
    warped.data()[v] = original;
    const double fd = (plus - minus) / (2 * h);
    EXPECT_NEAR(gradient.data()[v], fd, 1e-3 * std::abs(fd) + 1e-9) << "voxel " << v;
  }
}

TEST(LocalNcc, BoxWindowGradientMatchesFiniteDifferences) {
  check_gradient(WindowSum::Kind::kBox, nullptr);
}

TEST(LocalNcc, GaussianWindowGradientMatchesFiniteDifferences) {
  check_gradient(WindowSum::Kind::kGaussian, nullptr);
}

TEST(LocalNcc, MaskedGradientMatchesFiniteDifferences) {
  Geometry g;
  g.size = {12, 10, 8};
  g.spacing = {1.0, 1.5, 2.0};
  VoxelWeights mask(g, 0);
  for (std::int64_t z = 2; z < 6; ++z)
    for (std::int64_t y = 0; y < 10; ++y)
      for (std::int64_t x = 3; x < 9; ++x) mask(x, y, z) = 1;
  check_gradient(WindowSum::Kind::kBox, &mask);
}

TEST(LocalNcc, LocallyAffineIntensityChangeIsAPerfectMatch) {
  Geometry g;
  g.size = {16, 16, 10};
  const Image<float> fixed = blobs(g, 3);
  Image<float> other = fixed;
  for (float& v : other.buffer()) v = 2.0f * v - 300.0f;  // another scanner's scale and offset
  // eps follows each image's own noise level, so a scale and offset change nothing at all.
  LocalNcc lncc(WindowSum::Kind::kBox, 2.0);
  const double identical = lncc.evaluate(fixed, fixed, nullptr, nullptr);
  LocalNcc lncc_other(WindowSum::Kind::kBox, 2.0);
  const double same = lncc_other.evaluate(fixed, other, nullptr, nullptr);
  EXPECT_NEAR(same, identical, 1e-5);
  LocalNcc lncc_random(WindowSum::Kind::kBox, 2.0);
  EXPECT_GT(lncc_random.evaluate(fixed, test::random_image<float>(g, 0, 600, 4), nullptr, nullptr),
            same + 0.3);
}

TEST(LocalNcc, WindowsOfPureNoiseBarelyCount) {
  // Structure (a ramp of steps) on the left half, flat tissue with noise on the right half. Two
  // independent noise draws: the structured half must dominate the value, so that the optimiser
  // is not pulled towards the chance correlation of the noise.
  Geometry g;
  g.size = {40, 12, 8};
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0.0, 15.0);
  auto scan = [&](Image<float>& image) {
    for (std::int64_t z = 0; z < g.size[2]; ++z)
      for (std::int64_t y = 0; y < g.size[1]; ++y)
        for (std::int64_t x = 0; x < g.size[0]; ++x) {
          const double structure = x < 20 ? 300.0 * ((x / 3 + y / 3 + z / 2) % 2) : 40.0;
          image(x, y, z) = float(structure + noise(rng));
        }
  };
  Image<float> a(g), b(g);
  scan(a);
  scan(b);
  LocalNcc lncc(WindowSum::Kind::kBox, 1.5);
  Image<float> gradient;
  lncc.evaluate(a, b, nullptr, &gradient);
  double left = 0, right = 0;
  for (std::int64_t z = 0; z < g.size[2]; ++z)
    for (std::int64_t y = 0; y < g.size[1]; ++y)
      for (std::int64_t x = 0; x < g.size[0]; ++x) {
        // Away from the border between the halves, where windows see both.
        if (x < 16) left += std::abs(gradient(x, y, z)) * 300.0;  // per unit of intensity change
        if (x >= 24) right += std::abs(gradient(x, y, z)) * 15.0;
      }
  // Pull per voxel at the scale of each half's own variation: noise pulls far less.
  EXPECT_LT(right, 0.1 * left);
}

TEST(WindowSum, BoxSumIsItsOwnTransposeWithTruncatedWindows) {
  Geometry g;
  g.size = {7, 6, 5};
  g.spacing = {1, 2, 1};
  const WindowSum w(WindowSum::Kind::kBox, 2.0, g);
  const Image<float> a = test::random_image<float>(g, -1, 1, 1),
                     b = test::random_image<float>(g, -1, 1, 2);
  Image<float> wa = a, wb = b;
  w.apply(wa);
  w.apply(wb);
  double lhs = 0, rhs = 0;
  for (std::int64_t i = 0; i < a.voxel_count(); ++i) {
    lhs += double(wa.data()[i]) * b.data()[i];
    rhs += double(a.data()[i]) * wb.data()[i];
  }
  EXPECT_NEAR(lhs, rhs, 1e-4);
  Image<float> ones(g, 1.0f);
  w.apply(ones);
  EXPECT_NEAR(ones(0, 0, 0), w.weight(0, 0, 0), 1e-5);
  EXPECT_NEAR(ones(3, 3, 2), w.weight(3, 3, 2), 1e-5);
  EXPECT_NEAR(ones(3, 3, 2), 5.0 * 3.0 * 5.0, 1e-5);
}

}  // namespace
}  // namespace modir::objective
