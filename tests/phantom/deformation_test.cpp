#include "modir/phantom/deformation.h"

#include <gtest/gtest.h>

#include <cmath>

namespace modir::phantom {
namespace {

StarShape wavy_shape() {
  StarShape s;
  s.centre = {10, -20, 5};
  s.semi_axes = {40, 30, 35};
  s.wave_vectors = {{2, 0, 1}, {0, 3, -1}};
  s.wave_amplitudes = {0.08, 0.05};
  s.wave_phases = {0.3, 1.1};
  return s;
}

// det of the map's Jacobian by central differences.
template <typename Map>
double numeric_jacobian(const Map& map, const Vec3d& x, double h = 1e-4) {
  Mat3 j;
  for (int a = 0; a < 3; ++a) {
    Vec3d dx{0, 0, 0};
    dx[a] = h;
    const Vec3d d = (map(x + dx) - map(x - dx)) / (2 * h);
    for (int r = 0; r < 3; ++r) j(r, a) = d[r];
  }
  return j.determinant();
}

class Filling : public ::testing::TestWithParam<double> {};

TEST_P(Filling, InvertibleScalesTheOrganAndKeepsTheRestIncompressible) {
  RadialFilling f;
  f.shape = wavy_shape();
  f.s = GetParam();
  Rng rng(3);
  for (int n = 0; n < 2000; ++n) {
    const Vec3d x = f.shape.centre +
                    Vec3d{rng.uniform(-120, 120), rng.uniform(-120, 120), rng.uniform(-120, 120)};
    const Vec3d y = f.apply(x);
    EXPECT_LT((f.invert(y) - x).norm(), 1e-8);
    const double t = f.shape.normalised_radius(x);
    const double det = numeric_jacobian([&](const Vec3d& p) { return f.apply(p); }, x);
    EXPECT_GT(det, 0.0);
    if (t < 0.85) {  // inside, away from the blend: a pure scaling about the centre
      EXPECT_LT((y - (f.shape.centre + (x - f.shape.centre) * f.s)).norm(), 1e-9);
      EXPECT_NEAR(det, f.s * f.s * f.s, 1e-4);
    }
    if (t > 1.2) {
      EXPECT_NEAR(det, 1.0, 1e-4);  // outside: volume preserved
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Scales, Filling, ::testing::Values(0.7, 1.0, 1.44));

TEST(Filling, OrganBoundaryMovesOutward) {
  RadialFilling f;
  f.shape = wavy_shape();
  f.s = 1.44;
  const Vec3d d = Vec3d{1, 2, 2} / 3.0;
  const Vec3d surface = f.shape.centre + d * f.shape.radius(d);
  const double moved = (f.apply(surface) - surface).norm();
  EXPECT_GT(moved, 0.3 * f.shape.radius(d));  // grows by roughly s - 1
  const Vec3d far = f.shape.centre + d * (8 * f.shape.radius(d));
  // (s^3 - 1) / (3 * 64) of the radius at t = 8, against about s - 1 at the surface.
  EXPECT_LT((f.apply(far) - far).norm(), 0.04 * moved);  // decays like 1/t^2
}

TEST(Bumps, InverseAndGradientBound) {
  GaussianBumps b;
  b.centres = {{0, 0, 0}, {30, 10, -20}};
  b.amplitudes = {{5, -3, 2}, {-4, 4, 1}};
  b.widths = {40, 35};
  EXPECT_LT(b.gradient_bound(), 0.5);
  Rng rng(5);
  for (int n = 0; n < 500; ++n) {
    const Vec3d x{rng.uniform(-100, 100), rng.uniform(-100, 100), rng.uniform(-100, 100)};
    EXPECT_LT((b.invert(b.apply(x)) - x).norm(), 1e-9);
    EXPECT_GT(numeric_jacobian([&](const Vec3d& p) { return b.apply(p); }, x), 0.0);
  }
}

TEST(PhantomDeformation, CompositeInverse) {
  GaussianBumps b;
  b.centres = {{0, 0, 40}};
  b.amplitudes = {{3, 0, -2}};
  b.widths = {40};
  RadialFilling pocket;
  pocket.shape.centre = {0, 40, -20};
  pocket.shape.semi_axes = {8, 8, 8};
  pocket.s = 1.3;
  RadialFilling bladder;
  bladder.shape = wavy_shape();
  bladder.s = 1.2;
  RigidMotion rigid;
  rigid.centre = {0, 0, 0};
  rigid.translation = {5, -7, 3};
  const double a = 2.0 * M_PI / 180.0;
  rigid.rotation =
      Mat3::from_columns({std::cos(a), std::sin(a), 0}, {-std::sin(a), std::cos(a), 0}, {0, 0, 1});
  const PhantomDeformation phi(b, {pocket}, bladder, rigid);
  Rng rng(9);
  for (int n = 0; n < 500; ++n) {
    const Vec3d x{rng.uniform(-100, 100), rng.uniform(-100, 100), rng.uniform(-100, 100)};
    EXPECT_LT((phi.inverse(phi.map(x)) - x).norm(), 1e-7);
    EXPECT_GT(numeric_jacobian([&](const Vec3d& p) { return phi.map(p); }, x), 0.0);
  }
}

TEST(Rng, SameSeedSameNumbersAndSaneDistributions) {
  Rng a(42), b(42);
  double sum = 0, sum_sq = 0;
  for (int i = 0; i < 20000; ++i) {
    const double va = a.normal();
    EXPECT_EQ(va, b.normal());
    sum += va;
    sum_sq += va * va;
  }
  EXPECT_NEAR(sum / 20000, 0.0, 0.03);
  EXPECT_NEAR(sum_sq / 20000, 1.0, 0.04);
  // The first draw of seed 1 is fixed by the standard's mt19937_64 definition.
  Rng c(1);
  EXPECT_DOUBLE_EQ(c.uniform(), static_cast<double>(std::mt19937_64(1)() >> 11) * 0x1.0p-53);
}

}  // namespace
}  // namespace modir::phantom
