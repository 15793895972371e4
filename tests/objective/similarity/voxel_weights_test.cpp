// Fractional voxel weights in every similarity: a weight scales a voxel's share of the value, and
// dE/dweight (what a registration needs when the moving scan's overlap moves with u) matches
// finite differences.

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <memory>
#include <random>
#include <string>

#include "modir/objective/similarity/local_ncc.h"
#include "modir/objective/similarity/mutual_information.h"
#include "modir/objective/similarity/ncc.h"
#include "modir/objective/similarity/ssd.h"
#include "support/test_support.h"

namespace modir::objective {
namespace {

Image<float> smooth_scene(const Geometry& g, double phase, unsigned noise_seed) {
  Image<float> image = test::random_image<float>(g, -20.0, 20.0, noise_seed);
  for (std::int64_t z = 0; z < g.size[2]; ++z)
    for (std::int64_t y = 0; y < g.size[1]; ++y)
      for (std::int64_t x = 0; x < g.size[0]; ++x)
        image(x, y, z) += float(300 * std::sin(0.6 * x + phase) * std::cos(0.4 * y) +
                                100 * std::sin(0.5 * z) + 200);
  return image;
}

// A third of the voxels left out, a third counted fully, a third in between: the mix a scan's
// edge gives.
VoxelWeights mixed_weights(const Geometry& g, unsigned seed) {
  VoxelWeights q(g);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> kind(0, 2);
  std::uniform_real_distribution<float> partial(0.1f, 0.9f);
  for (float& v : q.buffer()) {
    const int k = kind(rng);
    v = k == 0 ? 0.0f : k == 1 ? 1.0f : partial(rng);
  }
  return q;
}

struct Metric {
  const char* name;
  std::function<std::unique_ptr<Similarity>()> make;
};

std::vector<Metric> metrics() {
  return {
      {"ssd", [] { return std::make_unique<SumOfSquaredDifferences>(); }},
      {"ncc", [] { return std::make_unique<NormalizedCrossCorrelation>(); }},
      {"lncc", [] { return std::make_unique<LocalNcc>(WindowSum::Kind::kBox, 2.0); }},
      {"mi", [] { return std::make_unique<MattesMutualInformation>(-400, 800, -400, 800, 16); }},
  };
}

TEST(VoxelWeights, WeightGradientMatchesFiniteDifferencesInEveryMetric) {
  const Geometry g = test::oblique_geometry({11, 9, 7});
  const Image<float> fixed = smooth_scene(g, 0.0, 1);
  const Image<float> warped = smooth_scene(g, 0.4, 2);
  for (const Metric& metric : metrics()) {
    VoxelWeights q = mixed_weights(g, 3);
    // One object throughout: SSD keeps the fixed variance of its first evaluation.
    std::unique_ptr<Similarity> similarity = metric.make();
    Image<float> dE_dwarped, dE_dweight;
    similarity->evaluate(fixed, warped, &q, &dE_dwarped, &dE_dweight);
    std::mt19937 rng(4);
    std::uniform_int_distribution<std::int64_t> voxel(0, q.voxel_count() - 1);
    double largest = 0.0;
    for (int k = 0; k < 25; ++k) {
      const std::int64_t v = voxel(rng);
      const float original = q.data()[v];
      // A one-sided step from 0 (weights cannot go below it), central elsewhere.
      const float h = 1e-3f;
      const float low = original == 0.0f ? 0.0f : original - h;
      q.data()[v] = original + h;
      const double plus = similarity->evaluate(fixed, warped, &q, nullptr);
      q.data()[v] = low;
      const double minus = similarity->evaluate(fixed, warped, &q, nullptr);
      q.data()[v] = original;
      const double fd = (plus - minus) / (double(original + h) - double(low));
      EXPECT_NEAR(dE_dweight.data()[v], fd, 2e-2 * std::abs(fd) + 1e-7)
          << metric.name << " voxel " << v << " weight " << original;
      largest = std::max(largest, std::abs(fd));
    }
    EXPECT_GT(largest, 1e-5) << metric.name << ": the comparison is not between zeros";
  }
}

// Halving every weight changes nothing (the metrics are weighted means), and a weight of 0 is the
// same as leaving the voxel out.
TEST(VoxelWeights, OnlyRelativeWeightsMatterAndZeroLeavesAVoxelOut) {
  const Geometry g = test::oblique_geometry({11, 9, 7});
  const Image<float> fixed = smooth_scene(g, 0.0, 5);
  const Image<float> warped = smooth_scene(g, 0.3, 6);
  const VoxelWeights q = mixed_weights(g, 7);
  VoxelWeights half = q;
  for (float& v : half.buffer()) v *= 0.5f;
  for (const Metric& metric : metrics()) {
    const double e = metric.make()->evaluate(fixed, warped, &q, nullptr);
    EXPECT_NEAR(metric.make()->evaluate(fixed, warped, &half, nullptr), e, 1e-6 * std::abs(e))
        << metric.name;
    if (std::string(metric.name) == "lncc") continue;  // its windows read every voxel
    Image<float> changed = warped;
    for (std::int64_t i = 0; i < q.voxel_count(); ++i)
      if (q.data()[i] == 0.0f) changed.data()[i] += 500.0f;
    EXPECT_EQ(metric.make()->evaluate(fixed, changed, &q, nullptr), e) << metric.name;
  }
}

}  // namespace
}  // namespace modir::objective
