#include "modir/objective/regularity/linear_elastic.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "spline_reference.h"
#include "support/test_support.h"

namespace modir::objective {
namespace {

std::vector<double> random_coefficients(const Size3& control, unsigned seed) {
  std::vector<double> theta(static_cast<std::size_t>(3 * control[0] * control[1] * control[2]));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> dist(-2.0, 2.0);
  for (double& v : theta) v = dist(rng);
  return theta;
}

// The two integrals of the energy, (1/V) * integral of sum eps_ij^2 and of (div u)^2, from the
// directly evaluated spline with its gradient taken in world coordinates: the frame
// derivatives d/df_a = (1/h) d/dq_a, and df_a/dx_c = D(c, a).
struct ElasticIntegrals {
  double strain_squared = 0.0;
  double divergence_squared = 0.0;
};

ElasticIntegrals brute_force_elastic(std::span<const double> theta, const Size3& control, double h,
                                     const Mat3& direction, double volume) {
  ElasticIntegrals result;
  double* targets[2] = {&result.strain_squared, &result.divergence_squared};
  for (int which = 0; which < 2; ++which) {
    const double integral = spline_reference::integrate_over_support(control, [&](const Vec3d& q) {
      const spline_reference::SplineJet jet = spline_reference::spline_jet(theta, control, q);
      double gradient[3][3];  // d u_r / d x_c, world
      for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c) {
          gradient[r][c] = 0.0;
          for (int a = 0; a < 3; ++a) gradient[r][c] += jet.first[a][r] * direction(c, a) / h;
        }
      if (which == 1) {
        const double div = gradient[0][0] + gradient[1][1] + gradient[2][2];
        return div * div;
      }
      double sum = 0.0;
      for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c) {
          const double eps = 0.5 * (gradient[r][c] + gradient[c][r]);
          sum += eps * eps;
        }
      return sum;
    });
    *targets[which] = integral * h * h * h / volume;
  }
  return result;
}

TEST(LinearElasticEnergy, MatchesBruteForceIntegralOnObliqueGrid) {
  const Size3 control{4, 3, 5};
  const double h = 2.5, volume = 777.0;
  const Mat3 direction = test::oblique_geometry().direction;
  const std::vector<double> theta = random_coefficients(control, 5);
  const ElasticIntegrals reference = brute_force_elastic(theta, control, h, direction, volume);
  ASSERT_GT(reference.strain_squared, 0.0);
  ASSERT_GT(reference.divergence_squared, 0.0);
  // Each weight alone, then both: a wrong operator for either part cannot hide.
  const double weights[3][2] = {{1.0, 0.0}, {0.0, 1.0}, {0.7, 1.9}};
  for (const auto& w : weights) {
    LinearElasticEnergy energy(control, h, direction, volume, w[0], w[1]);
    const double expected =
        w[0] * reference.strain_squared + 0.5 * w[1] * reference.divergence_squared;
    EXPECT_NEAR(energy.evaluate(theta, {}, 1.0), expected, 1e-9 * expected)
        << "mu " << w[0] << " lambda " << w[1];
  }
}

TEST(LinearElasticEnergy, GradientMatchesFiniteDifferencesOnObliqueGrid) {
  const Size3 control{3, 4, 4};
  const double weight = 0.75;
  std::vector<double> theta = random_coefficients(control, 9);
  LinearElasticEnergy energy(control, 3.0, test::oblique_geometry().direction, 400.0, 0.6, 1.7);
  std::vector<double> gradient(theta.size(), 0.0);
  energy.evaluate(theta, gradient, weight);
  double largest = 0.0;
  for (const double g : gradient) largest = std::max(largest, std::abs(g) / weight);
  ASSERT_GT(largest, 1e-3);
  // E is quadratic, so central differences are exact up to rounding.
  const double step = 1e-3;
  for (std::size_t i = 0; i < theta.size(); ++i) {
    const double saved = theta[i];
    theta[i] = saved + step;
    const double plus = energy.evaluate(theta, {}, 1.0);
    theta[i] = saved - step;
    const double minus = energy.evaluate(theta, {}, 1.0);
    theta[i] = saved;
    EXPECT_NEAR(gradient[i] / weight, (plus - minus) / (2 * step), 1e-8 * largest)
        << "parameter " << i;
  }
}

TEST(LinearElasticEnergy, DoublingSpacingDoublesEnergy) {
  // First derivatives scale by 1/h, squared 1/h^2, the volume element by h^3: E ~ h.
  const Size3 control{4, 4, 4};
  const std::vector<double> theta = random_coefficients(control, 13);
  const Mat3 direction = test::oblique_geometry().direction;
  LinearElasticEnergy fine(control, 2.0, direction, 500.0);
  LinearElasticEnergy coarse(control, 4.0, direction, 500.0);
  const double e_fine = fine.evaluate(theta, {}, 1.0);
  EXPECT_NEAR(coarse.evaluate(theta, {}, 1.0), 2.0 * e_fine, 1e-12 * e_fine);
}

TEST(LinearElasticEnergy, RotatingGridAndCoefficientsTogetherChangesNothing) {
  // The same physical deformation described on a rotated grid: world coefficients R c on
  // axes R D. Only a correct frame change gives the same energy.
  const Size3 control{4, 3, 3};
  const std::vector<double> theta = random_coefficients(control, 17);
  const Mat3 d = test::oblique_geometry().direction;
  const double a = 0.6;
  const Mat3 r =
      Mat3::from_columns({std::cos(a), 0, -std::sin(a)}, {0, 1, 0}, {std::sin(a), 0, std::cos(a)});
  std::vector<double> rotated(theta.size());
  for (std::size_t k = 0; k < theta.size(); k += 3) {
    const Vec3d c = r * Vec3d{theta[k], theta[k + 1], theta[k + 2]};
    rotated[k] = c.x;
    rotated[k + 1] = c.y;
    rotated[k + 2] = c.z;
  }
  LinearElasticEnergy original(control, 3.0, d, 100.0, 0.8, 2.0);
  LinearElasticEnergy turned(control, 3.0, r * d, 100.0, 0.8, 2.0);
  const double e = original.evaluate(theta, {}, 1.0);
  EXPECT_NEAR(turned.evaluate(rotated, {}, 1.0), e, 1e-12 * e);
  // Rotating only the coefficients is a different deformation, with a different energy.
  EXPECT_GT(std::abs(original.evaluate(rotated, {}, 1.0) - e), 1e-3 * e);
}

TEST(LinearElasticEnergy, TranslationAndAffineFieldsStrainOnlyAtTheBorders) {
  // Constant strain has zero stress divergence, so away from the cut-off borders (control
  // points at least 3 from every face) the gradient vanishes, for a translation and for any
  // affine field in world coordinates; the borders do carry energy.
  const Size3 control{9, 9, 9};
  const double h = 4.0;
  const Mat3 d = test::oblique_geometry().direction;
  Mat3 a;
  a.m = {{{0.03, -0.12, 0.05}, {0.2, 0.01, -0.07}, {0.04, 0.09, -0.15}}};
  for (const bool affine : {false, true}) {
    std::vector<double> theta;
    for (std::int64_t z = 0; z < 9; ++z)
      for (std::int64_t y = 0; y < 9; ++y)
        for (std::int64_t x = 0; x < 9; ++x) {
          const Vec3d world = d * (Vec3d{double(x), double(y), double(z)} * h);
          const Vec3d c = Vec3d{1.5, -2.0, 0.7} + (affine ? a * world : Vec3d{0, 0, 0});
          theta.insert(theta.end(), {c.x, c.y, c.z});
        }
    LinearElasticEnergy energy(control, h, d, 1000.0, 1.0, 1.0);
    std::vector<double> gradient(theta.size(), 0.0);
    EXPECT_GT(energy.evaluate(theta, gradient, 1.0), 0.0);
    double largest = 0.0;
    for (const double g : gradient) largest = std::max(largest, std::abs(g));
    ASSERT_GT(largest, 1e-4);
    for (std::int64_t z = 3; z <= 5; ++z)
      for (std::int64_t y = 3; y <= 5; ++y)
        for (std::int64_t x = 3; x <= 5; ++x)
          for (int c = 0; c < 3; ++c) {
            EXPECT_NEAR(gradient[static_cast<std::size_t>(3 * (x + 9 * (y + 9 * z)) + c)], 0.0,
                        1e-12 * largest)
                << (affine ? "affine" : "translation");
          }
  }
}

TEST(LinearElasticEnergy, RejectsNegativeWeights) {
  test::error_of([] { LinearElasticEnergy({3, 3, 3}, 5.0, Mat3::identity(), 100.0, -1.0, 1.0); });
  test::error_of([] { LinearElasticEnergy({3, 3, 3}, 5.0, Mat3::identity(), 100.0, 1.0, -0.5); });
}

}  // namespace
}  // namespace modir::objective
