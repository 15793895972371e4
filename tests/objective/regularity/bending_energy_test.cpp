#include "modir/objective/regularity/bending_energy.h"

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

// (1/V) * integral of the sum of squared second derivatives (all nine, so the mixed ones count
// twice), by quadrature of the directly evaluated spline.
double brute_force_bending(std::span<const double> theta, const Size3& control, double h,
                           double volume) {
  const double in_control_units =
      spline_reference::integrate_over_support(control, [&](const Vec3d& q) {
        const spline_reference::SplineJet jet = spline_reference::spline_jet(theta, control, q);
        double sum = 0.0;
        for (int a = 0; a < 3; ++a)
          for (int b = 0; b < 3; ++b) sum += jet.second[a][b].dot(jet.second[a][b]);
        return sum;
      });
  return in_control_units * h * h * h / (h * h * h * h) / volume;
}

TEST(BendingEnergy, MatchesBruteForceIntegral) {
  const Size3 control{4, 5, 3};
  const double h = 3.5, volume = 1234.0;
  const std::vector<double> theta = random_coefficients(control, 7);
  BendingEnergy energy(control, h, test::oblique_geometry().direction, volume);
  const double analytic = energy.evaluate(theta, {}, 1.0);
  const double reference = brute_force_bending(theta, control, h, volume);
  EXPECT_GT(reference, 0.0);
  EXPECT_NEAR(analytic, reference, 1e-9 * reference);
}

TEST(BendingEnergy, GradientMatchesFiniteDifferencesAndAccumulates) {
  const Size3 control{4, 3, 5};
  const double h = 2.0, volume = 300.0, weight = 2.5;
  std::vector<double> theta = random_coefficients(control, 3);
  BendingEnergy energy(control, h, Mat3::identity(), volume);
  std::vector<double> gradient(theta.size(), 1.0);
  energy.evaluate(theta, gradient, weight);
  double largest = 0.0;
  for (const double g : gradient) largest = std::max(largest, std::abs(g - 1.0) / weight);
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
    EXPECT_NEAR((gradient[i] - 1.0) / weight, (plus - minus) / (2 * step), 1e-8 * largest)
        << "parameter " << i;
  }
}

TEST(BendingEnergy, DoublingSpacingHalvesEnergy) {
  // Second derivatives scale by h^-2, squared h^-4, the volume element by h^3: E ~ 1/h.
  const Size3 control{5, 4, 4};
  const std::vector<double> theta = random_coefficients(control, 11);
  BendingEnergy fine(control, 2.0, Mat3::identity(), 500.0);
  BendingEnergy coarse(control, 4.0, Mat3::identity(), 500.0);
  const double e_fine = fine.evaluate(theta, {}, 1.0);
  EXPECT_NEAR(coarse.evaluate(theta, {}, 1.0), 0.5 * e_fine, 1e-12 * e_fine);
}

TEST(BendingEnergy, AffineCoefficientsBendOnlyAtTheBorders) {
  // The spline of affine coefficients is affine wherever the grid is complete, so control
  // points at least 3 from every border (whose Gram neighbourhood sees only affine values) get
  // no gradient; the cut-off borders do bend.
  const Size3 control{9, 9, 9};
  Mat3 a;
  a.m = {{{0.3, -1.2, 0.5}, {2.0, 0.1, -0.7}, {0.4, 0.9, -1.5}}};
  const Vec3d t{4.0, -3.0, 1.5};
  std::vector<double> theta;
  for (std::int64_t z = 0; z < 9; ++z)
    for (std::int64_t y = 0; y < 9; ++y)
      for (std::int64_t x = 0; x < 9; ++x) {
        const Vec3d c = a * Vec3d{double(x), double(y), double(z)} + t;
        theta.insert(theta.end(), {c.x, c.y, c.z});
      }
  BendingEnergy energy(control, 5.0, Mat3::identity(), 1000.0);
  std::vector<double> gradient(theta.size(), 0.0);
  EXPECT_GT(energy.evaluate(theta, gradient, 1.0), 0.0);
  double largest = 0.0;
  for (const double g : gradient) largest = std::max(largest, std::abs(g));
  ASSERT_GT(largest, 1e-3);
  for (std::int64_t z = 3; z <= 5; ++z)
    for (std::int64_t y = 3; y <= 5; ++y)
      for (std::int64_t x = 3; x <= 5; ++x)
        for (int c = 0; c < 3; ++c) {
          EXPECT_NEAR(gradient[static_cast<std::size_t>(3 * (x + 9 * (y + 9 * z)) + c)], 0.0,
                      1e-12 * largest);
        }
}

TEST(BendingEnergy, RejectsWrongParameterCount) {
  BendingEnergy energy({3, 3, 3}, 5.0, Mat3::identity(), 100.0);
  const std::vector<double> theta(80, 0.0);
  test::error_of([&] { energy.evaluate(theta, {}, 1.0); });
  test::error_of([] { BendingEnergy({3, 3, 3}, 0.0, Mat3::identity(), 100.0); });
}

}  // namespace
}  // namespace modir::objective
