#include "modir/objective/regularity/jacobian_penalty.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "modir/core/parallel.h"
#include "modir/transform/jacobian.h"
#include "support/test_support.h"

namespace modir::objective {
namespace {

double psi(double det, double tau) {
  return det < tau ? (tau - det) * (tau - det) / (tau * tau) : 0.0;
}

// Mean psi over the determinants modir reports to the user.
double penalty_from_transform(const DisplacementField& u, double tau) {
  const Image<float> det = transform::jacobian_determinant(u);
  double sum = 0.0;
  for (const float d : det.buffer()) sum += psi(d, tau);
  return sum / static_cast<double>(det.voxel_count());
}

std::int64_t count_below(const DisplacementField& u, double tau) {
  const Image<float> det = transform::jacobian_determinant(u);
  return std::count_if(det.buffer().begin(), det.buffer().end(), [&](float d) { return d < tau; });
}

// Random displacements of about half a voxel: rough enough for many small and some negative
// determinants on the oblique grid (spacing 0.8, 1.3, 2.7 mm).
DisplacementField rough_field(const Size3& size, unsigned seed) {
  const Geometry g = test::oblique_geometry(size);
  DisplacementField u(g);
  const Image<float> x = test::random_image<float>(g, -0.6, 0.6, seed);
  const Image<float> y = test::random_image<float>(g, -0.8, 0.8, seed + 1);
  const Image<float> z = test::random_image<float>(g, -1.2, 1.2, seed + 2);
  for (std::size_t i = 0; i < u.buffer().size(); ++i) {
    u.buffer()[i] = {x.buffer()[i], y.buffer()[i], z.buffer()[i]};
  }
  return u;
}

TEST(JacobianPenalty, ZeroForSmoothSmallField) {
  const Geometry g = test::oblique_geometry({12, 10, 8});
  DisplacementField u(g);
  for (std::int64_t k = 0; k < 8; ++k)
    for (std::int64_t j = 0; j < 10; ++j)
      for (std::int64_t i = 0; i < 12; ++i) {
        const Vec3d p = g.index_to_world({double(i), double(j), double(k)});
        u(i, j, k) = Vec3d{0.3 * std::sin(0.2 * p.y), 0.2 * std::cos(0.15 * p.z),
                           -0.25 * std::sin(0.1 * p.x)}
                         .cast<float>();
      }
  JacobianPenalty penalty;
  DisplacementField gradient(g);
  EXPECT_EQ(penalty.evaluate(u, &gradient, 1.0), 0.0);
  for (const Vec3f& v : gradient.buffer()) EXPECT_EQ(v, (Vec3f{0, 0, 0}));
}

TEST(JacobianPenalty, FoldingFieldIsPenalisedAtLeastByItsFoldedFraction) {
  Geometry g;
  g.size = {7, 3, 2};
  DisplacementField u(g);
  // x + u(x) = 0, 1, 2, 0.5, -1, 5, 6 on every row: the map runs backwards around voxel 3.
  const float target[7] = {0, 1, 2, 0.5f, -1, 5, 6};
  for (std::int64_t k = 0; k < 2; ++k)
    for (std::int64_t j = 0; j < 3; ++j)
      for (std::int64_t i = 0; i < 7; ++i) u(i, j, k) = {target[i] - float(i), 0, 0};
  const transform::JacobianStatistics s =
      transform::jacobian_statistics(transform::jacobian_determinant(u));
  ASSERT_GT(s.folded_voxels, 0);
  JacobianPenalty penalty(0.2);
  const double e = penalty.evaluate(u, nullptr, 1.0);
  // psi >= 1 where det <= 0.
  EXPECT_GE(e, s.folded_fraction);
  EXPECT_NEAR(e, penalty_from_transform(u, 0.2), 1e-6 * e);
}

TEST(JacobianPenalty, UsesTheSameDeterminantAsTheTransformModule) {
  const DisplacementField u = rough_field({9, 7, 6}, 21);
  for (const double tau : {0.05, 0.2, 0.5, 1.0}) {
    JacobianPenalty penalty(tau);
    const double expected = penalty_from_transform(u, tau);
    ASSERT_GT(expected, 0.0) << "tau " << tau;
    EXPECT_NEAR(penalty.evaluate(u, nullptr, 1.0), expected, 1e-6 * expected) << "tau " << tau;
  }
}

TEST(JacobianPenalty, GradientMatchesFiniteDifferencesOnObliqueGrid) {
  const double tau = 0.2;
  DisplacementField u = rough_field({7, 6, 5}, 5);
  const std::int64_t below = count_below(u, tau);
  ASSERT_GE(below, 10);                    // many voxels on the penalised branch
  ASSERT_LE(below, u.voxel_count() - 10);  // and many on the flat one
  JacobianPenalty penalty(tau);
  DisplacementField gradient(u.geometry());
  penalty.evaluate(u, &gradient, 1.0);
  double largest = 0.0;
  for (const Vec3f& g : gradient.buffer()) largest = std::max(largest, double(g.norm()));
  ASSERT_GT(largest, 0.0);
  // The field is float: step in float and divide by the step actually taken. The 1260 tiny
  // evaluations run on one thread, where thread start-up would dominate on a busy machine;
  // the value does not depend on the thread count (tested below).
  const int threads = thread_count();
  set_thread_count(1);
  const double step = 1e-4;
  int checked_nonzero = 0;
  for (std::size_t v = 0; v < u.buffer().size(); ++v) {
    for (std::size_t c = 0; c < 3; ++c) {
      float& value = u.buffer()[v][c];
      const float saved = value;
      value = static_cast<float>(saved + step);
      const double up = double(value) - double(saved);
      const double plus = penalty.evaluate(u, nullptr, 1.0);
      value = static_cast<float>(saved - step);
      const double down = double(saved) - double(value);
      const double minus = penalty.evaluate(u, nullptr, 1.0);
      value = saved;
      const double numeric = (plus - minus) / (up + down);
      const double analytic = gradient.buffer()[v][c];
      EXPECT_NEAR(analytic, numeric, 2e-3 * largest) << "voxel " << v << " component " << c;
      if (std::abs(analytic) > 0.05 * largest) ++checked_nonzero;
    }
  }
  set_thread_count(threads);
  EXPECT_GT(checked_nonzero, 20);
}

TEST(JacobianPenalty, GradientAddsWeightedAndIgnoresThreadCount) {
  DisplacementField u = rough_field({8, 5, 6}, 9);
  JacobianPenalty penalty(0.3);
  DisplacementField once(u.geometry());
  penalty.evaluate(u, &once, 2.0);
  DisplacementField twice(u.geometry());
  penalty.evaluate(u, &twice, 1.0);
  const double e = penalty.evaluate(u, &twice, 1.0);
  ASSERT_GT(e, 0.0);
  for (std::size_t i = 0; i < once.buffer().size(); ++i) {
    for (std::size_t c = 0; c < 3; ++c) {
      EXPECT_NEAR(once.buffer()[i][c], twice.buffer()[i][c], 1e-6 * std::abs(once.buffer()[i][c]));
    }
  }
  const int threads = thread_count();
  set_thread_count(1);
  DisplacementField serial(u.geometry());
  const double e_serial = penalty.evaluate(u, &serial, 2.0);
  set_thread_count(threads);
  EXPECT_EQ(e_serial, e);
  EXPECT_EQ(serial.buffer(), once.buffer());
}

TEST(JacobianPenalty, RejectsBadThresholdAndMismatchedGradient) {
  test::error_of([] { JacobianPenalty(0.0); });
  test::error_of([] { JacobianPenalty(1.5); });
  const DisplacementField u = rough_field({4, 4, 4}, 1);
  DisplacementField wrong(test::oblique_geometry({4, 4, 3}));
  JacobianPenalty penalty;
  test::error_of([&] { penalty.evaluate(u, &wrong, 1.0); });
}

}  // namespace
}  // namespace modir::objective
