#include "modir/objective/similarity/mutual_information.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "modir/core/parallel.h"
#include "support/test_support.h"

namespace modir::objective {
namespace {

// Smooth structure with several intensity levels (blobs on a ramp) and a little noise, in
// [0, 100]; shifting it changes which intensities meet.
Image<float> blob_phantom(const Size3& size, unsigned seed) {
  Image<float> image(test::oblique_geometry(size));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> noise(-1.0, 1.0);
  for (std::int64_t z = 0; z < size[2]; ++z) {
    for (std::int64_t y = 0; y < size[1]; ++y) {
      for (std::int64_t x = 0; x < size[0]; ++x) {
        const double u = static_cast<double>(x) / static_cast<double>(size[0]);
        const double v = static_cast<double>(y) / static_cast<double>(size[1]);
        const double w = static_cast<double>(z) / static_cast<double>(size[2]);
        const double blob1 = std::exp(-((u - 0.3) * (u - 0.3) + (v - 0.4) * (v - 0.4)) / 0.02);
        const double blob2 = std::exp(-((u - 0.7) * (u - 0.7) + (w - 0.5) * (w - 0.5)) / 0.03);
        const double value = 15.0 * u + 10.0 * v + 45.0 * blob1 + 30.0 * blob2 + noise(rng);
        image(x, y, z) = static_cast<float>(std::clamp(value, 0.0, 100.0));
      }
    }
  }
  return image;
}

// The image moved by `shift` voxels along x, edge replicated.
Image<float> shifted_along_x(const Image<float>& image, std::int64_t shift) {
  Image<float> out(image.geometry());
  const Size3& n = image.size();
  for (std::int64_t z = 0; z < n[2]; ++z) {
    for (std::int64_t y = 0; y < n[1]; ++y) {
      for (std::int64_t x = 0; x < n[0]; ++x) {
        out(x, y, z) = image(std::clamp<std::int64_t>(x + shift, 0, n[0] - 1), y, z);
      }
    }
  }
  return out;
}

double cubic_bspline(double t) {
  t = std::abs(t);
  if (t < 1.0) return (4.0 - 6.0 * t * t + 3.0 * t * t * t) / 6.0;
  if (t < 2.0) return (2.0 - t) * (2.0 - t) * (2.0 - t) / 6.0;
  return 0.0;
}

// The estimator written out naively: every voxel adds B3(j - t) to every moving bin j of its
// fixed row, and MI is summed over the dense joint histogram.
double reference_negative_mi(const Image<float>& fixed, const Image<float>& warped, double fmin,
                             double fmax, double mmin, double mmax, int bins) {
  std::vector<std::vector<double>> joint(bins, std::vector<double>(bins, 0.0));
  double n = 0.0;
  for (std::int64_t i = 0; i < fixed.voxel_count(); ++i) {
    const double fbin = std::floor((fixed.data()[i] - fmin) * bins / (fmax - fmin));
    const int row = static_cast<int>(std::clamp(fbin, 0.0, bins - 1.0));
    const double w = std::clamp<double>(warped.data()[i], mmin, mmax);
    const double t = (w - mmin) * (bins - 4) / (mmax - mmin) + 2.0;
    for (int j = 0; j < bins; ++j) joint[row][j] += cubic_bspline(j - t);
    n += 1.0;
  }
  std::vector<double> pf(bins, 0.0), pm(bins, 0.0);
  for (int i = 0; i < bins; ++i) {
    for (int j = 0; j < bins; ++j) {
      pf[i] += joint[i][j] / n;
      pm[j] += joint[i][j] / n;
    }
  }
  double mi = 0.0;
  for (int i = 0; i < bins; ++i) {
    for (int j = 0; j < bins; ++j) {
      const double p = joint[i][j] / n;
      if (p > 0.0) mi += p * std::log(p / (pf[i] * pm[j]));
    }
  }
  return -mi;
}

// Central difference of E in voxel i of `warped`, with the steps read back from the float image.
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

TEST(MattesMiSimilarity, MatchesTheNaiveEstimator) {
  const Image<float> fixed = blob_phantom({20, 18, 12}, 1);
  Image<float> warped = shifted_along_x(fixed, 2);
  warped.data()[0] = 140.0f;  // outside the moving range: clamped onto its edge
  MattesMutualInformation mi(0.0, 100.0, 0.0, 100.0, 24);
  EXPECT_NEAR(mi.evaluate(fixed, warped, nullptr, nullptr),
              reference_negative_mi(fixed, warped, 0.0, 100.0, 0.0, 100.0, 24), 1e-10);
  EXPECT_EQ(mi.name(), "mattes_mi");
  EXPECT_EQ(mi.bins(), 24);
}

TEST(MattesMiSimilarity, GradientMatchesFiniteDifferences) {
  const Image<float> fixed = blob_phantom({14, 12, 10}, 2);
  Image<float> warped = shifted_along_x(fixed, 1);
  for (float& v : warped.buffer()) v = 0.5f * v + 0.002f * v * v;  // a nonlinear relation
  // A range a little wider than the data keeps every voxel off the clamp, where E has a kink.
  MattesMutualInformation mi(0.0, 100.0, -1.0, 71.0);
  VoxelWeights mask(fixed.geometry(), 1);
  for (std::int64_t i = 0; i < mask.voxel_count(); i += 3) mask.data()[i] = 0;
  Image<float> gradient;
  mi.evaluate(fixed, warped, &mask, &gradient);
  ASSERT_EQ(gradient.size(), fixed.size());

  // The B-spline window is 1/28 of the range wide per bin (72 / 28 ~ 2.6 units): a step of 1e-3
  // units keeps the truncation error of central differences far below 1e-3.
  std::mt19937 rng(3);
  std::uniform_int_distribution<std::int64_t> voxel(0, fixed.voxel_count() - 1);
  int checked = 0;
  while (checked < 30) {
    const std::int64_t i = voxel(rng);
    if (mask.data()[i] == 0) continue;
    const double fd = finite_difference(mi, fixed, warped, &mask, i, 1e-3f);
    EXPECT_NEAR(gradient.data()[i], fd, 1e-3 * std::abs(fd) + 1e-9) << "voxel " << i;
    ++checked;
  }
  for (std::int64_t i = 0; i < fixed.voxel_count(); ++i) {
    if (mask.data()[i] == 0) {
      ASSERT_EQ(gradient.data()[i], 0.0f) << "voxel " << i;
    }
  }
}

TEST(MattesMiSimilarity, GradientIsZeroWhereTheWarpedValueIsClamped) {
  const Image<float> fixed = blob_phantom({10, 9, 8}, 4);
  Image<float> warped = fixed;
  warped.data()[5] = -20.0f;
  warped.data()[17] = 130.0f;
  MattesMutualInformation mi(0.0, 100.0, 0.0, 100.0);
  Image<float> gradient;
  mi.evaluate(fixed, warped, nullptr, &gradient);
  EXPECT_EQ(gradient.data()[5], 0.0f);
  EXPECT_EQ(gradient.data()[17], 0.0f);
}

TEST(MattesMiSimilarity, IsLowestWhenTheImagesAreAligned) {
  const Image<float> fixed = blob_phantom({32, 28, 16}, 5);
  MattesMutualInformation mi(0.0, 100.0, 0.0, 100.0);
  const double aligned = mi.evaluate(fixed, fixed, nullptr, nullptr);
  EXPECT_LT(aligned, -1.0);
  double previous = aligned;
  for (std::int64_t shift : {1, 2, 4}) {
    const double e = mi.evaluate(fixed, shifted_along_x(fixed, shift), nullptr, nullptr);
    EXPECT_GT(e, previous + 0.01) << "shift " << shift;
    previous = e;
  }
}

TEST(MattesMiSimilarity, IgnoresAnAffineRemapOfTheMovingImageWhenItsRangeFollows) {
  const Image<float> fixed = blob_phantom({32, 28, 16}, 6);
  MattesMutualInformation same_modality(0.0, 100.0, 0.0, 100.0);
  const double aligned = same_modality.evaluate(fixed, fixed, nullptr, nullptr);
  // An affine map moves every value to the same place relative to its bins; an inverting one
  // mirrors the histogram, which the symmetric B-spline window and padding leave unchanged.
  Image<float> brighter = fixed, inverted = fixed;
  for (float& v : brighter.buffer()) v = 4.0f * v - 300.0f;
  for (float& v : inverted.buffer()) v = 500.0f - 2.0f * v;
  MattesMutualInformation brighter_mi(0.0, 100.0, -300.0, 100.0);
  MattesMutualInformation inverted_mi(0.0, 100.0, 300.0, 500.0);
  EXPECT_NEAR(brighter_mi.evaluate(fixed, brighter, nullptr, nullptr), aligned, 1e-5);
  EXPECT_NEAR(inverted_mi.evaluate(fixed, inverted, nullptr, nullptr), aligned, 1e-5);
}

TEST(MattesMiSimilarity, RoughlyIgnoresANonlinearMonotoneRemapOfTheMovingImage) {
  const Image<float> fixed = blob_phantom({32, 28, 16}, 6);
  Image<float> remapped = fixed;
  // 0..100 -> 0..200, three times steeper at the bright end than at the dark one.
  for (float& v : remapped.buffer()) v = v + 0.01f * v * v;
  MattesMutualInformation same_modality(0.0, 100.0, 0.0, 100.0);
  MattesMutualInformation other_modality(0.0, 100.0, 0.0, 200.0);
  const double aligned = same_modality.evaluate(fixed, fixed, nullptr, nullptr);
  const double remapped_e = other_modality.evaluate(fixed, remapped, nullptr, nullptr);
  // Fixed bins cannot follow a nonlinear map: the compressed dark values share fewer moving
  // bins, so some information is lost (about a fifth here), but alignment stays obvious.
  EXPECT_NEAR(remapped_e, aligned, 0.25 * std::abs(aligned));
  for (std::int64_t shift : {1, 4}) {
    const double misaligned =
        other_modality.evaluate(fixed, shifted_along_x(remapped, shift), nullptr, nullptr);
    EXPECT_LT(remapped_e, misaligned - 0.05) << "shift " << shift;
  }
}

TEST(MattesMiSimilarity, IsNearZeroForIndependentNoise) {
  const Geometry geometry = test::oblique_geometry({40, 40, 40});
  const Image<float> fixed = test::random_image<float>(geometry, 0.0, 1.0, 7);
  const Image<float> warped = test::random_image<float>(geometry, -5.0, 5.0, 8);
  MattesMutualInformation mi(0.0, 1.0, -5.0, 5.0);
  const double e = mi.evaluate(fixed, warped, nullptr, nullptr);
  EXPECT_LE(e, 1e-12);  // MI is never negative
  EXPECT_GT(e, -0.02);  // only the small-sample bias of the histogram
}

TEST(MattesMiSimilarity, DoesNotDependOnTheThreadCount) {
  const Image<float> fixed = blob_phantom({16, 12, 40}, 9);
  const Image<float> warped = shifted_along_x(fixed, 1);
  MattesMutualInformation mi(0.0, 100.0, 0.0, 100.0);
  Image<float> one_thread_gradient, many_threads_gradient;
  set_thread_count(1);
  const double one_thread = mi.evaluate(fixed, warped, nullptr, &one_thread_gradient);
  set_thread_count(3);
  const double many_threads = mi.evaluate(fixed, warped, nullptr, &many_threads_gradient);
  set_thread_count(0);
  EXPECT_EQ(one_thread, many_threads);
  EXPECT_EQ(one_thread_gradient.buffer(), many_threads_gradient.buffer());
}

TEST(MattesMiSimilarity, EmptyMaskGivesZero) {
  const Image<float> fixed = blob_phantom({8, 8, 8}, 10);
  const VoxelWeights empty(fixed.geometry(), 0);
  MattesMutualInformation mi(0.0, 100.0, 0.0, 100.0);
  Image<float> gradient(fixed.geometry(), 3.0f);
  EXPECT_EQ(mi.evaluate(fixed, fixed, &empty, &gradient), 0.0);
  for (float g : gradient.buffer()) ASSERT_EQ(g, 0.0f);
}

TEST(MattesMiSimilarity, RejectsEmptyRangesAndTooFewBins) {
  EXPECT_EQ(test::error_of([] { MattesMutualInformation(1.0, 1.0, 0.0, 1.0); }).kind(),
            ErrorKind::kUsage);
  EXPECT_EQ(test::error_of([] { MattesMutualInformation(0.0, 1.0, 2.0, 1.0); }).kind(),
            ErrorKind::kUsage);
  EXPECT_EQ(test::error_of([] { MattesMutualInformation(0.0, NAN, 0.0, 1.0); }).kind(),
            ErrorKind::kUsage);
  EXPECT_EQ(test::error_of([] { MattesMutualInformation(0.0, 1.0, 0.0, 1.0, 4); }).kind(),
            ErrorKind::kUsage);
}

}  // namespace
}  // namespace modir::objective
