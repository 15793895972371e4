#include "modir/objective/regularity/bspline_gram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "spline_reference.h"
#include "support/test_support.h"

namespace modir::objective {
namespace {

double at(const GramSequence& g, int d) {
  return g[static_cast<std::size_t>(d + kGramRadius)];
}

// Composite Simpson over [-5, 5] with 2000 panels per unit interval, aligned with the knots so
// every panel sees one polynomial piece: error far below 1e-12 for these degree <= 6 pieces.
double simpson_gram(int m, int n, int d) {
  const int per_unit = 2000;
  const double h = 1.0 / per_unit;
  const int panels = 10 * per_unit;
  auto f = [&](double t) {
    return spline_reference::reference_bspline(m, t) *
           spline_reference::reference_bspline(n, t - d);
  };
  double sum = f(-5.0) + f(5.0);
  for (int i = 1; i < panels; ++i) sum += (i % 2 == 1 ? 4.0 : 2.0) * f(-5.0 + i * h);
  return sum * h / 3.0;
}

TEST(BSplineGram, MatchesNumericIntegration) {
  for (int m = 0; m <= 2; ++m) {
    for (int n = 0; n <= 2; ++n) {
      const GramSequence g = bspline_gram(m, n);
      for (int d = -kGramRadius; d <= kGramRadius; ++d) {
        EXPECT_NEAR(at(g, d), simpson_gram(m, n, d), 1e-10)
            << "m=" << m << " n=" << n << " d=" << d;
      }
    }
  }
}

TEST(BSplineGram, KnownValues) {
  const GramSequence g00 = bspline_gram(0, 0);
  EXPECT_NEAR(at(g00, 0), 151.0 / 315.0, 1e-15);
  EXPECT_NEAR(at(g00, 1), 397.0 / 1680.0, 1e-15);
  EXPECT_NEAR(at(g00, 2), 1.0 / 42.0, 1e-15);
  EXPECT_NEAR(at(g00, 3), 1.0 / 5040.0, 1e-15);
  EXPECT_NEAR(at(bspline_gram(1, 1), 0), 2.0 / 3.0, 1e-15);
  EXPECT_NEAR(at(bspline_gram(2, 2), 0), 8.0 / 3.0, 1e-14);
  EXPECT_NEAR(at(bspline_gram(2, 2), 1), -1.5, 1e-14);
}

TEST(BSplineGram, SymmetriesOfTheSequences) {
  const GramSequence g10 = bspline_gram(1, 0), g01 = bspline_gram(0, 1);
  for (int d = -kGramRadius; d <= kGramRadius; ++d) {
    for (int m = 0; m <= 2; ++m) {
      // Swapping the factors reverses the shift.
      for (int n = 0; n <= 2; ++n) {
        EXPECT_NEAR(at(bspline_gram(m, n), d), at(bspline_gram(n, m), -d), 1e-15);
      }
      EXPECT_NEAR(at(bspline_gram(m, m), d), at(bspline_gram(m, m), -d), 1e-15);
    }
    // B' is odd and B even, so g_10 is antisymmetric; by parts g_01 = -g_10 and g_20 = -g_11.
    EXPECT_NEAR(at(g10, d), -at(g10, -d), 1e-15);
    EXPECT_NEAR(at(g01, d), -at(g10, d), 1e-15);
    EXPECT_NEAR(at(bspline_gram(2, 0), d), -at(bspline_gram(1, 1), d), 1e-15);
  }
  EXPECT_GT(std::abs(at(g10, 1)), 0.1);  // not trivially zero
}

TEST(BSplineGram, SumsFollowFromPartitionOfUnity) {
  // sum_d B(t - d) = 1, so sum_d g_m0[d] = integral of B^(m), and derivatives of it vanish.
  auto sum = [](const GramSequence& g) { return std::accumulate(g.begin(), g.end(), 0.0); };
  EXPECT_NEAR(sum(bspline_gram(0, 0)), 1.0, 1e-15);
  EXPECT_NEAR(sum(bspline_gram(1, 1)), 0.0, 1e-15);
  EXPECT_NEAR(sum(bspline_gram(2, 2)), 0.0, 1e-14);
  EXPECT_NEAR(sum(bspline_gram(1, 0)), 0.0, 1e-15);
  // sum_d d B(t - d) = t, so sum_d d g_10[d] = integral of t B'(t) = -integral of B = -1.
  const GramSequence g10 = bspline_gram(1, 0);
  double moment = 0.0;
  for (int d = -kGramRadius; d <= kGramRadius; ++d) moment += d * at(g10, d);
  EXPECT_NEAR(moment, -1.0, 1e-14);
}

TEST(BSplineGram, BasisMatchesTruncatedPowerForm) {
  for (int order = 0; order <= 2; ++order) {
    for (double t = -2.5; t <= 2.5; t += 0.0625) {
      EXPECT_NEAR(cubic_bspline(order, t), spline_reference::reference_bspline(order, t), 1e-13)
          << "order " << order << " t " << t;
    }
  }
  EXPECT_NEAR(cubic_bspline(0, 0.0), 2.0 / 3.0, 1e-15);
  EXPECT_NEAR(cubic_bspline(0, 1.0), 1.0 / 6.0, 1e-15);
}

// add_gram_pass against a direct sum over neighbours, on every axis.
void expect_pass_matches_direct_sum(const Size3& size, int components) {
  const std::int64_t nx = size[0], ny = size[1], nz = size[2];
  const auto count = static_cast<std::size_t>(nx * ny * nz * components);
  std::vector<double> in(count), out(count);
  for (std::size_t i = 0; i < count; ++i) in[i] = std::sin(1.7 * double(i) + 0.3);
  auto index = [&](std::int64_t x, std::int64_t y, std::int64_t z, int c) {
    return static_cast<std::size_t>((x + nx * (y + ny * z)) * components + c);
  };
  const GramSequence g = bspline_gram(1, 0);
  for (int axis = 0; axis < 3; ++axis) {
    std::fill(out.begin(), out.end(), 0.5);
    add_gram_pass(g, axis, -2.0, size, components, in, out);
    double worst = 0.0;
    for (std::int64_t z = 0; z < nz; ++z)
      for (std::int64_t y = 0; y < ny; ++y)
        for (std::int64_t x = 0; x < nx; ++x)
          for (int c = 0; c < components; ++c) {
            double expected = 0.0;
            for (int d = -kGramRadius; d <= kGramRadius; ++d) {
              std::int64_t p[3] = {x, y, z};
              p[axis] += d;
              if (p[axis] < 0 || p[axis] >= size[static_cast<std::size_t>(axis)]) continue;
              expected += at(g, d) * in[index(p[0], p[1], p[2], c)];
            }
            worst = std::max(worst, std::abs(out[index(x, y, z, c)] - (0.5 - 2.0 * expected)));
          }
    EXPECT_LT(worst, 1e-14) << "axis " << axis << " grid " << nx << "x" << ny << "x" << nz;
  }
}

TEST(BSplineGram, PassMatchesDirectSumWithZeroBorder) {
  expect_pass_matches_direct_sum({5, 4, 6}, 2);     // serial path
  expect_pass_matches_direct_sum({40, 30, 20}, 3);  // parallel path
}

TEST(BSplineGram, RejectsBadGrids) {
  EXPECT_EQ(test::error_of([] {
              validate_control_grid("t", {3, 0, 3}, 5.0, Mat3::identity(), 1.0);
            }).kind(),
            ErrorKind::kUsage);
  test::error_of([] { validate_control_grid("t", {3, 3, 3}, -1.0, Mat3::identity(), 1.0); });
  test::error_of([] { validate_control_grid("t", {3, 3, 3}, 5.0, Mat3::identity(), 0.0); });
  test::error_of([] {
    validate_control_grid("t", {3, 3, 3}, 5.0, Mat3::diagonal({1, 2, 1}), 1.0);
  });
  test::error_of([] { bspline_gram(3, 0); });
}

}  // namespace
}  // namespace modir::objective
