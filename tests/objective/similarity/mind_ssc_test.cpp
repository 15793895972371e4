#include "modir/objective/similarity/mind_ssc.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace modir::objective {
namespace {

std::int64_t clamped(std::int64_t i, std::int64_t length) {
  return std::clamp<std::int64_t>(i, 0, length - 1);
}

// MIND-SSC straight from its definition, in double, one voxel at a time: the squared difference
// image of each pair is read with the image edge replicated, and the patch mean replicates the
// squared difference image's edge in turn.
std::vector<std::vector<double>> reference_mind_ssc(const Image<float>& image, int radius,
                                                    int dilation) {
  const Size3& n = image.size();
  const auto value = [&](std::int64_t x, std::int64_t y, std::int64_t z) -> double {
    return image(clamped(x, n[0]), clamped(y, n[1]), clamped(z, n[2]));
  };
  const std::size_t voxels = static_cast<std::size_t>(image.voxel_count());
  std::vector<std::vector<double>> d(12, std::vector<double>(voxels, 0.0));
  const double patch = std::pow(2 * radius + 1, 3);
  for (std::size_t c = 0; c < 12; ++c) {
    const auto& a = kMindSscPairs[c].first;
    const auto& b = kMindSscPairs[c].second;
    for (std::int64_t z = 0; z < n[2]; ++z) {
      for (std::int64_t y = 0; y < n[1]; ++y) {
        for (std::int64_t x = 0; x < n[0]; ++x) {
          double sum = 0.0;
          for (int k = -radius; k <= radius; ++k) {
            for (int j = -radius; j <= radius; ++j) {
              for (int i = -radius; i <= radius; ++i) {
                const std::int64_t px = clamped(x + i, n[0]);
                const std::int64_t py = clamped(y + j, n[1]);
                const std::int64_t pz = clamped(z + k, n[2]);
                const double diff =
                    value(px + a[0] * dilation, py + a[1] * dilation, pz + a[2] * dilation) -
                    value(px + b[0] * dilation, py + b[1] * dilation, pz + b[2] * dilation);
                sum += diff * diff;
              }
            }
          }
          d[c][static_cast<std::size_t>(image.linear_index(x, y, z))] = sum / patch;
        }
      }
    }
  }
  std::vector<double> variance(voxels, 0.0);
  double mean = 0.0;
  for (std::size_t v = 0; v < voxels; ++v) {
    for (std::size_t c = 0; c < 12; ++c) variance[v] += d[c][v] / 12.0;
    mean += variance[v] / static_cast<double>(voxels);
  }
  for (std::size_t v = 0; v < voxels; ++v) {
    const double var = std::clamp(variance[v], 0.001 * mean, 1000.0 * mean);
    double largest = 0.0;
    for (std::size_t c = 0; c < 12; ++c) {
      d[c][v] = std::exp(-d[c][v] / var);
      largest = std::max(largest, d[c][v]);
    }
    for (std::size_t c = 0; c < 12; ++c) d[c][v] /= largest;
  }
  return d;
}

// Random values with a constant block, so that flat patches (V clamped from below) occur.
Image<float> noise_with_flat_block(const Size3& size, unsigned seed) {
  Image<float> image = test::random_image<float>(test::oblique_geometry(size), 0.0, 100.0, seed);
  for (std::int64_t z = 0; z < size[2] / 2; ++z) {
    for (std::int64_t y = 0; y < size[1]; ++y) {
      for (std::int64_t x = 0; x < size[0] / 2; ++x) image(x, y, z) = 37.0f;
    }
  }
  return image;
}

TEST(MindSscDescriptors, AreTwelveChannelsOnTheImageGridWithMaximumOne) {
  const Image<float> image = noise_with_flat_block({11, 9, 8}, 1);
  const std::vector<Image<float>> mind = mind_ssc_descriptors(image);
  ASSERT_EQ(mind.size(), 12u);
  for (const Image<float>& channel : mind) {
    EXPECT_TRUE(channel.geometry().same_grid(image.geometry()));
  }
  for (std::int64_t i = 0; i < image.voxel_count(); ++i) {
    float largest = 0.0f;
    for (const Image<float>& channel : mind) {
      ASSERT_GT(channel.data()[i], 0.0f);
      ASSERT_LE(channel.data()[i], 1.0f);
      largest = std::max(largest, channel.data()[i]);
    }
    ASSERT_EQ(largest, 1.0f) << "voxel " << i;
  }
}

TEST(MindSscDescriptors, MatchTheDefinition) {
  const Image<float> image = noise_with_flat_block({11, 9, 8}, 2);
  for (const auto [radius, dilation] : {std::array<int, 2>{1, 2}, std::array<int, 2>{2, 1},
                                        std::array<int, 2>{0, 3}, std::array<int, 2>{1, 9}}) {
    const std::vector<Image<float>> mind = mind_ssc_descriptors(image, radius, dilation);
    const std::vector<std::vector<double>> expected = reference_mind_ssc(image, radius, dilation);
    for (std::size_t c = 0; c < 12; ++c) {
      for (std::int64_t i = 0; i < image.voxel_count(); ++i) {
        ASSERT_NEAR(mind[c].data()[i], expected[c][static_cast<std::size_t>(i)], 1e-5)
            << "radius " << radius << " dilation " << dilation << " channel " << c << " voxel "
            << i;
      }
    }
  }
}

TEST(MindSscDescriptors, IgnoreIntensityScaleAndOffset) {
  const Image<float> image = noise_with_flat_block({12, 10, 9}, 3);
  Image<float> remapped = image;
  for (float& v : remapped.buffer()) v = -3.5f * v + 20.0f;
  const std::vector<Image<float>> mind = mind_ssc_descriptors(image);
  const std::vector<Image<float>> remapped_mind = mind_ssc_descriptors(remapped);
  for (std::size_t c = 0; c < 12; ++c) {
    for (std::int64_t i = 0; i < image.voxel_count(); ++i) {
      ASSERT_NEAR(remapped_mind[c].data()[i], mind[c].data()[i], 1e-4)
          << "channel " << c << " voxel " << i;
    }
  }
}

TEST(MindSscDescriptors, MoveWithTheImageAwayFromTheBorder) {
  const Size3 n{20, 18, 16};
  const Image<float> image = test::random_image<float>(test::oblique_geometry(n), 0.0, 100.0, 4);
  const std::array<std::int64_t, 3> s{2, 1, 3};
  Image<float> moved(image.geometry());
  for (std::int64_t z = 0; z < n[2]; ++z) {
    for (std::int64_t y = 0; y < n[1]; ++y) {
      for (std::int64_t x = 0; x < n[0]; ++x) {
        moved(x, y, z) =
            image(clamped(x + s[0], n[0]), clamped(y + s[1], n[1]), clamped(z + s[2], n[2]));
      }
    }
  }
  const int radius = 1, dilation = 2;
  const std::vector<Image<float>> mind = mind_ssc_descriptors(image, radius, dilation);
  const std::vector<Image<float>> moved_mind = mind_ssc_descriptors(moved, radius, dilation);
  // Voxels whose patches, in both images, never reach the border or the replicated strip.
  const std::int64_t margin = radius + dilation;
  int compared = 0;
  for (std::int64_t z = margin; z < n[2] - s[2] - margin; ++z) {
    for (std::int64_t y = margin; y < n[1] - s[1] - margin; ++y) {
      for (std::int64_t x = margin; x < n[0] - s[0] - margin; ++x) {
        for (std::size_t c = 0; c < 12; ++c) {
          ASSERT_NEAR(moved_mind[c](x, y, z), mind[c](x + s[0], y + s[1], z + s[2]), 1e-6)
              << "channel " << c << " at " << x << "," << y << "," << z;
        }
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 500);
}

TEST(MindSscDescriptors, AreAllOneOnAConstantImage) {
  const Image<float> image(test::oblique_geometry({6, 5, 4}), -250.0f);
  for (const Image<float>& channel : mind_ssc_descriptors(image)) {
    for (float v : channel.buffer()) ASSERT_EQ(v, 1.0f);
  }
}

TEST(MindSscDescriptors, RejectNegativeRadiusAndZeroDilation) {
  const Image<float> image(test::oblique_geometry({4, 4, 4}), 1.0f);
  EXPECT_EQ(test::error_of([&] { mind_ssc_descriptors(image, -1, 2); }).kind(), ErrorKind::kUsage);
  EXPECT_EQ(test::error_of([&] { mind_ssc_descriptors(image, 1, 0); }).kind(), ErrorKind::kUsage);
}

}  // namespace
}  // namespace modir::objective
