#include "modir/optimize/pareto/min_norm.h"

#include <gtest/gtest.h>

#include <random>

namespace modir::optimize::pareto {
namespace {

using Vectors = std::vector<std::vector<double>>;

Vectors gram_of(const Vectors& g) {
  Vectors out(g.size(), std::vector<double>(g.size()));
  for (std::size_t i = 0; i < g.size(); ++i)
    for (std::size_t j = 0; j < g.size(); ++j) {
      double s = 0;
      for (std::size_t k = 0; k < g[i].size(); ++k) s += g[i][k] * g[j][k];
      out[i][j] = s;
    }
  return out;
}

std::vector<double> combine(const Vectors& g, const std::vector<double>& alpha) {
  std::vector<double> d(g[0].size(), 0.0);
  for (std::size_t i = 0; i < g.size(); ++i)
    for (std::size_t k = 0; k < d.size(); ++k) d[k] += alpha[i] * g[i][k];
  return d;
}

TEST(MinNorm, OrthogonalUnitVectorsShareEqually) {
  const auto a = min_norm_weights(gram_of({{1, 0}, {0, 1}}));
  EXPECT_NEAR(a[0], 0.5, 1e-12);
  EXPECT_NEAR(a[1], 0.5, 1e-12);
}

TEST(MinNorm, OppositeVectorsCancel) {
  // Pareto-stationary: the hull holds the origin.
  const Vectors g{{2, 0}, {-1, 0}};
  const auto a = min_norm_weights(gram_of(g));
  EXPECT_NEAR(a[0], 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(a[1], 2.0 / 3.0, 1e-12);
  const auto d = combine(g, a);
  EXPECT_NEAR(d[0], 0.0, 1e-12);
}

TEST(MinNorm, ALongerParallelVectorGetsNoWeight) {
  // conv{g, 3g}: the nearest point to the origin is g itself.
  const auto a = min_norm_weights(gram_of({{1, 1, 0}, {3, 3, 0}}));
  EXPECT_NEAR(a[0], 1.0, 1e-12);
  EXPECT_NEAR(a[1], 0.0, 1e-12);
}

TEST(MinNorm, HandComputedThreeVectors) {
  // g1 = (1,0), g2 = (0,1), g3 = (1,1): the minimum lies on the edge g1-g2 at (0.5, 0.5); g3
  // is further away and gets no weight.
  const auto a = min_norm_weights(gram_of({{1, 0}, {0, 1}, {1, 1}}));
  EXPECT_NEAR(a[0], 0.5, 1e-12);
  EXPECT_NEAR(a[1], 0.5, 1e-12);
  EXPECT_NEAR(a[2], 0.0, 1e-12);
}

TEST(MinNorm, TheResultIsACommonDescentDirection) {
  // For random gradients in general position: every g_i . d >= |d|^2 with d the min-norm point
  // (so -d lowers every objective), and no simplex point is nearer the origin.
  std::mt19937 random(5);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (int trial = 0; trial < 50; ++trial) {
    Vectors g(3, std::vector<double>(6));
    for (auto& v : g)
      for (double& x : v) x = normal(random) + 1.5;  // a shared component: descent exists
    const auto a = min_norm_weights(gram_of(g));
    double sum = 0;
    for (const double v : a) {
      EXPECT_GE(v, 0.0);
      sum += v;
    }
    EXPECT_NEAR(sum, 1.0, 1e-9);
    const auto d = combine(g, a);
    double dd = 0;
    for (const double x : d) dd += x * x;
    for (const auto& gi : g) {
      double gd = 0;
      for (std::size_t k = 0; k < d.size(); ++k) gd += gi[k] * d[k];
      EXPECT_GE(gd, dd * (1 - 1e-9)) << "trial " << trial;
    }
    for (int s = 0; s < 200; ++s) {
      double w[3] = {std::abs(normal(random)), std::abs(normal(random)), std::abs(normal(random))};
      const double t = w[0] + w[1] + w[2];
      const auto p = combine(g, {w[0] / t, w[1] / t, w[2] / t});
      double pp = 0;
      for (const double x : p) pp += x * x;
      EXPECT_GE(pp, dd * (1 - 1e-9));
    }
  }
}

TEST(MinNorm, TinyGradientsGiveTheSameWeights) {
  const auto a = min_norm_weights(gram_of({{1e-7, 0}, {0, 2e-7}}));
  // |a g1 + b g2|^2 = a^2 + 4 b^2 (x 1e-14), minimal on a + b = 1 at a = 0.8.
  EXPECT_NEAR(a[0], 0.8, 1e-9);
  EXPECT_NEAR(a[1], 0.2, 1e-9);
}

TEST(MinNorm, BadInput) {
  EXPECT_ANY_THROW(min_norm_weights({}));
  EXPECT_ANY_THROW(min_norm_weights({{1, 0}}));
}

}  // namespace
}  // namespace modir::optimize::pareto
