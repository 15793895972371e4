#include "modir/transform/parametrisation.h"

#include <gtest/gtest.h>

#include <random>

#include "support/test_support.h"

namespace modir::transform {
namespace {

DisplacementField random_field(const Geometry& g, unsigned seed) {
  DisplacementField f(g);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1, 1);
  for (Vec3f& v : f.buffer()) v = {d(rng), d(rng), d(rng)};
  return f;
}

double dot(const DisplacementField& a, const DisplacementField& b) {
  double s = 0;
  for (std::int64_t i = 0; i < a.voxel_count(); ++i)
    s += a.data()[i].cast<double>().dot(b.data()[i].cast<double>());
  return s;
}

// E(theta) = <w, u(theta)>: its gradient is the adjoint applied to w; checked by central
// differences on every parameter.
void expect_adjoint_matches_finite_differences(Parametrisation& p, std::vector<double> theta,
                                               double step, double tolerance) {
  const DisplacementField w = random_field(p.grid(), 11);
  DisplacementField u;
  p.field(theta, u);
  std::vector<double> gradient(p.parameter_count());
  p.adjoint(theta, w, gradient);
  for (std::size_t k = 0; k < theta.size(); ++k) {
    auto plus = theta, minus = theta;
    plus[k] += step;
    minus[k] -= step;
    p.field(plus, u);
    const double ep = dot(w, u);
    p.field(minus, u);
    const double em = dot(w, u);
    const double fd = (ep - em) / (2 * step);
    EXPECT_NEAR(gradient[k], fd, tolerance * std::max(1.0, std::abs(fd))) << "parameter " << k;
  }
}

TEST(Parametrisation, RigidAdjointMatchesFiniteDifferences) {
  const Geometry g = test::oblique_geometry({9, 8, 7});
  AffineParametrisation p(g, AffineParametrisation::Kind::kRigid, g.index_to_world({4, 3.5, 3}),
                          50.0);
  expect_adjoint_matches_finite_differences(p, {3.0, -2.0, 1.5, 0.5, -1.0, 2.0}, 1e-3, 2e-3);
}

TEST(Parametrisation, AffineAdjointMatchesFiniteDifferences) {
  const Geometry g = test::oblique_geometry({9, 8, 7});
  AffineParametrisation p(g, AffineParametrisation::Kind::kAffine, g.index_to_world({4, 3.5, 3}),
                          50.0);
  expect_adjoint_matches_finite_differences(p, {1, 2, -1, 0.5, -2, 1, 0, 1, 3, 0.5, -1, 2}, 1e-3,
                                            2e-3);
}

TEST(Parametrisation, AffineParametersRoundTrip) {
  const Geometry g = test::oblique_geometry({9, 8, 7});
  AffineParametrisation rigid(g, AffineParametrisation::Kind::kRigid, {10, 20, 30}, 80.0);
  const std::vector<double> theta{4.0, -3.0, 2.0, 5.0, -6.0, 7.0};
  const AffineTransform t = rigid.transform(theta);
  const auto back = rigid.parameters_of(t);
  for (std::size_t k = 0; k < theta.size(); ++k) EXPECT_NEAR(back[k], theta[k], 1e-9);
  EXPECT_NEAR(t.matrix.determinant(), 1.0, 1e-12);
}

TEST(Parametrisation, BSplineIncludesTheAffinePart) {
  const Geometry g = test::oblique_geometry({9, 8, 7});
  AffineTransform a;
  a.translation = {1, 2, 3};
  a.matrix(0, 1) = 0.05;
  BSplineGrid grid(g, 6.0);
  BSplineParametrisation p(g, grid, a);
  std::vector<double> theta(p.parameter_count(), 0.0);
  DisplacementField u;
  p.field(theta, u);
  const Vec3d x = g.index_to_world({3, 4, 5});
  const Vec3d expected = a.apply(x) - x;
  EXPECT_NEAR(u(3, 4, 5).x, expected.x, 1e-4);
  EXPECT_NEAR(u(3, 4, 5).y, expected.y, 1e-4);
  EXPECT_NEAR(u(3, 4, 5).z, expected.z, 1e-4);
}

TEST(Parametrisation, VelocityAdjointMatchesFiniteDifferences) {
  const Geometry g = test::oblique_geometry({9, 8, 7});
  AffineTransform a;
  a.matrix(0, 0) = 1.05;
  a.translation = {1, -1, 0.5};
  BSplineGrid grid(g, 5.0);
  VelocityParametrisation p(g, grid, a);
  std::vector<double> theta(p.parameter_count());
  std::mt19937 rng(4);
  std::uniform_real_distribution<double> d(-1.5, 1.5);
  for (double& t : theta) t = d(rng);
  // Spot-check a subset of parameters (all of them would be slow and adds nothing).
  const DisplacementField w = random_field(g, 12);
  DisplacementField u;
  p.field(theta, u);
  std::vector<double> gradient(theta.size());
  p.adjoint(theta, w, gradient);
  for (std::size_t k = 0; k < theta.size(); k += 37) {
    auto plus = theta, minus = theta;
    plus[k] += 1e-3;
    minus[k] -= 1e-3;
    p.field(plus, u);
    const double ep = dot(w, u);
    p.field(minus, u);
    const double em = dot(w, u);
    const double fd = (ep - em) / 2e-3;
    EXPECT_NEAR(gradient[k], fd, 5e-3 * std::max(1.0, std::abs(fd))) << "parameter " << k;
  }
}

}  // namespace
}  // namespace modir::transform
