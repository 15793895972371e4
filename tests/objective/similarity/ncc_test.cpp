#include "modir/objective/similarity/ncc.h"

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace modir::objective {
namespace {

Geometry test_geometry() {
  return test::oblique_geometry({9, 8, 7});
}

// The plain textbook formula, in double, serially: the reference the optimised code must match.
double reference_ncc_energy(const Image<float>& f, const Image<float>& w, const VoxelWeights* mask) {
  double n = 0, sf = 0, sw = 0;
  for (std::int64_t i = 0; i < f.voxel_count(); ++i) {
    if (mask != nullptr && mask->data()[i] == 0) continue;
    n += 1;
    sf += f.data()[i];
    sw += w.data()[i];
  }
  const double mf = sf / n, mw = sw / n;
  double ff = 0, ww = 0, fw = 0;
  for (std::int64_t i = 0; i < f.voxel_count(); ++i) {
    if (mask != nullptr && mask->data()[i] == 0) continue;
    ff += (f.data()[i] - mf) * (f.data()[i] - mf);
    ww += (w.data()[i] - mw) * (w.data()[i] - mw);
    fw += (f.data()[i] - mf) * (w.data()[i] - mw);
  }
  return 1.0 - fw / std::sqrt(ff * ww);
}

// About half the voxels, at random.
VoxelWeights random_mask(const Geometry& geometry, unsigned seed) {
  VoxelWeights mask(geometry);
  std::mt19937 rng(seed);
  std::bernoulli_distribution inside(0.5);
  for (float& m : mask.buffer()) m = inside(rng) ? 1 : 0;
  return mask;
}

// A warped image correlated with `fixed` but not perfectly, so the gradient is not zero.
Image<float> noisy_copy(const Image<float>& fixed, unsigned seed) {
  Image<float> noise = test::random_image<float>(fixed.geometry(), -30.0, 30.0, seed);
  for (std::int64_t i = 0; i < fixed.voxel_count(); ++i) {
    noise.data()[i] += 0.7f * fixed.data()[i] + 5.0f;
  }
  return noise;
}

// Central difference of E in voxel i of `warped`. The steps are read back from the float image,
// so the rounding of w +- step does not bias the quotient.
double finite_difference(Similarity& similarity, const Image<float>& fixed, Image<float>& warped,
                         const VoxelWeights* mask, std::int64_t i, float step) {
  const float original = warped.data()[i];
  warped.data()[i] = original + step;
  const double up = warped.data()[i];
  const double e_up = similarity.evaluate(fixed, warped, mask, nullptr);
  warped.data()[i] = original - step;
  const double down = warped.data()[i];
  const double e_down = similarity.evaluate(fixed, warped, mask, nullptr);
  warped.data()[i] = original;
  return (e_up - e_down) / (up - down);
}

TEST(NccSimilarity, MatchesTheTextbookFormula) {
  const Image<float> fixed = test::random_image<float>(test_geometry(), 0.0, 100.0, 1);
  const Image<float> warped = noisy_copy(fixed, 2);
  const VoxelWeights mask = random_mask(fixed.geometry(), 3);
  NormalizedCrossCorrelation ncc;
  EXPECT_NEAR(ncc.evaluate(fixed, warped, nullptr, nullptr),
              reference_ncc_energy(fixed, warped, nullptr), 1e-12);
  EXPECT_NEAR(ncc.evaluate(fixed, warped, &mask, nullptr),
              reference_ncc_energy(fixed, warped, &mask), 1e-12);
  EXPECT_EQ(ncc.name(), "ncc");
}

TEST(NccSimilarity, IsZeroForPositivelyAffineRelatedImagesAndTwoForInverted) {
  const Image<float> fixed = test::random_image<float>(test_geometry(), -1000.0, 2000.0, 4);
  Image<float> same = fixed;
  Image<float> inverted = fixed;
  for (std::int64_t i = 0; i < fixed.voxel_count(); ++i) {
    same.data()[i] = 2.5f * fixed.data()[i] + 7.0f;
    inverted.data()[i] = -0.5f * fixed.data()[i] + 3.0f;
  }
  NormalizedCrossCorrelation ncc;
  Image<float> gradient;
  EXPECT_NEAR(ncc.evaluate(fixed, same, nullptr, &gradient), 0.0, 1e-7);
  // At the minimum the gradient vanishes too (up to float rounding of the affine copy).
  for (float g : gradient.buffer()) ASSERT_NEAR(g, 0.0f, 1e-8f);
  EXPECT_NEAR(ncc.evaluate(fixed, inverted, nullptr, nullptr), 2.0, 1e-7);
}

TEST(NccSimilarity, IgnoresScaleAndOffsetOfTheFixedImage) {
  const Image<float> fixed = test::random_image<float>(test_geometry(), 0.0, 100.0, 5);
  const Image<float> warped = noisy_copy(fixed, 6);
  Image<float> rescaled = fixed;
  for (float& v : rescaled.buffer()) v = 3.0f * v - 40.0f;
  NormalizedCrossCorrelation ncc;
  const double e = ncc.evaluate(fixed, warped, nullptr, nullptr);
  EXPECT_GT(e, 0.05);  // not trivially zero
  EXPECT_NEAR(ncc.evaluate(rescaled, warped, nullptr, nullptr), e, 1e-6);
}

TEST(NccSimilarity, GradientMatchesFiniteDifferences) {
  const Image<float> fixed = test::random_image<float>(test_geometry(), 0.0, 100.0, 7);
  Image<float> warped = noisy_copy(fixed, 8);
  const VoxelWeights mask = random_mask(fixed.geometry(), 9);
  NormalizedCrossCorrelation ncc;
  Image<float> gradient;
  ncc.evaluate(fixed, warped, &mask, &gradient);
  ASSERT_EQ(gradient.size(), fixed.size());

  std::mt19937 rng(10);
  std::uniform_int_distribution<std::int64_t> voxel(0, fixed.voxel_count() - 1);
  int checked = 0;
  while (checked < 25) {
    const std::int64_t i = voxel(rng);
    if (mask.data()[i] == 0) continue;
    const double fd = finite_difference(ncc, fixed, warped, &mask, i, 0.05f);
    EXPECT_NEAR(gradient.data()[i], fd, 1e-3 * std::abs(fd)) << "voxel " << i;
    ++checked;
  }
  for (std::int64_t i = 0; i < fixed.voxel_count(); ++i) {
    if (mask.data()[i] == 0) {
      ASSERT_EQ(gradient.data()[i], 0.0f) << "voxel " << i;
    }
  }
}

TEST(NccSimilarity, VoxelsOutsideTheMaskChangeNothing) {
  const Image<float> fixed = test::random_image<float>(test_geometry(), 0.0, 100.0, 11);
  const Image<float> warped = noisy_copy(fixed, 12);
  const VoxelWeights mask = random_mask(fixed.geometry(), 13);
  Image<float> other_fixed = fixed;
  Image<float> other_warped = warped;
  for (std::int64_t i = 0; i < fixed.voxel_count(); ++i) {
    if (mask.data()[i] != 0) continue;
    other_fixed.data()[i] = 1e4f;
    other_warped.data()[i] = -3e3f - static_cast<float>(i);
  }
  NormalizedCrossCorrelation ncc;
  Image<float> gradient, other_gradient;
  const double e = ncc.evaluate(fixed, warped, &mask, &gradient);
  EXPECT_EQ(ncc.evaluate(other_fixed, other_warped, &mask, &other_gradient), e);
  EXPECT_EQ(gradient.buffer(), other_gradient.buffer());
  EXPECT_NE(ncc.evaluate(other_fixed, other_warped, nullptr, nullptr), e);
}

TEST(NccSimilarity, ConstantImagesGiveOneWithZeroGradient) {
  const Image<float> fixed = test::random_image<float>(test_geometry(), 0.0, 100.0, 14);
  const Image<float> constant(fixed.geometry(), 42.5f);
  NormalizedCrossCorrelation ncc;
  Image<float> gradient(fixed.geometry(), 5.0f);
  EXPECT_EQ(ncc.evaluate(fixed, constant, nullptr, &gradient), 1.0);
  for (float g : gradient.buffer()) ASSERT_EQ(g, 0.0f);
  EXPECT_EQ(ncc.evaluate(constant, fixed, nullptr, &gradient), 1.0);
  for (float g : gradient.buffer()) ASSERT_EQ(g, 0.0f);
  const VoxelWeights empty(fixed.geometry(), 0);
  EXPECT_EQ(ncc.evaluate(fixed, fixed, &empty, &gradient), 1.0);
}

TEST(NccSimilarity, RejectsImagesOfDifferentSizes) {
  const Image<float> fixed = test::random_image<float>(test_geometry(), 0.0, 1.0, 15);
  const Image<float> smaller(test::oblique_geometry({9, 8, 6}));
  NormalizedCrossCorrelation ncc;
  test::error_of([&] { ncc.evaluate(fixed, smaller, nullptr, nullptr); });
  const VoxelWeights small_mask(smaller.geometry(), 1);
  test::error_of([&] { ncc.evaluate(fixed, fixed, &small_mask, nullptr); });
}

}  // namespace
}  // namespace modir::objective
