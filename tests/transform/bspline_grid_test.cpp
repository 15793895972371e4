#include "modir/transform/bspline_grid.h"

#include <gtest/gtest.h>

#include <random>

#include "support/test_support.h"

namespace modir::transform {
namespace {

void randomise(BSplineGrid& grid, unsigned seed, double amplitude = 3.0) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> d(-amplitude, amplitude);
  for (double& c : grid.coefficients()) c = d(rng);
}

TEST(BSplineGrid, DenseEvaluationMatchesPointEvaluationOnObliqueGrid) {
  const Geometry g = test::oblique_geometry({14, 11, 9});
  BSplineGrid grid(g, 7.0);
  randomise(grid, 3);
  DisplacementField u;
  grid.evaluate(grid.coefficients(), g, u);
  for (std::int64_t z = 0; z < 9; z += 4)
    for (std::int64_t y = 0; y < 11; y += 3)
      for (std::int64_t x = 0; x < 14; x += 5) {
        const Vec3d expected = grid.evaluate_at(
            grid.coefficients(), g.index_to_world({double(x), double(y), double(z)}));
        EXPECT_NEAR(u(x, y, z).x, expected.x, 1e-5);
        EXPECT_NEAR(u(x, y, z).y, expected.y, 1e-5);
        EXPECT_NEAR(u(x, y, z).z, expected.z, 1e-5);
      }
}

TEST(BSplineGrid, ConstantCoefficientsGiveTheSameTranslationEverywhere) {
  const Geometry g = test::oblique_geometry({12, 10, 8});
  BSplineGrid grid(g, 5.0);
  auto c = grid.coefficients();
  for (std::size_t i = 0; i < c.size(); i += 3) c[i] = 2.5, c[i + 1] = -1.0, c[i + 2] = 0.25;
  DisplacementField u;
  grid.evaluate(c, g, u);
  for (const Vec3f& v : u.buffer()) {
    EXPECT_NEAR(v.x, 2.5, 1e-5);
    EXPECT_NEAR(v.y, -1.0, 1e-5);
    EXPECT_NEAR(v.z, 0.25, 1e-5);
  }
}

// Dyadic subdivision must not change the displacement anywhere on the image, also on a coarser
// pyramid level's grid whose voxel centres reach beyond the reference's.
TEST(BSplineGrid, RefinementKeepsTheDisplacement) {
  const Geometry g = test::oblique_geometry({20, 16, 12});
  BSplineGrid coarse(g, 8.0);
  randomise(coarse, 5);
  const BSplineGrid fine = coarse.refined();
  EXPECT_DOUBLE_EQ(fine.spacing(), 4.0);
  Geometry level = g;
  level.spacing = g.spacing * 2.0;
  level.size = {10, 8, 6};
  level.origin = g.index_to_world({0.5, 0.5, 0.5});
  for (const Geometry& target : {g, level}) {
    DisplacementField a, b;
    coarse.evaluate(coarse.coefficients(), target, a);
    fine.evaluate(fine.coefficients(), target, b);
    for (std::int64_t i = 0; i < a.voxel_count(); ++i) {
      EXPECT_NEAR(a.data()[i].x, b.data()[i].x, 1e-4);
      EXPECT_NEAR(a.data()[i].y, b.data()[i].y, 1e-4);
      EXPECT_NEAR(a.data()[i].z, b.data()[i].z, 1e-4);
    }
  }
}

// <B c, g> = <c, B^T g> for random c and g: the adjoint is exact.
TEST(BSplineGrid, AdjointIsTheTransposeOfEvaluation) {
  const Geometry g = test::oblique_geometry({15, 13, 11});
  BSplineGrid grid(g, 6.0);
  randomise(grid, 7);
  DisplacementField u;
  grid.evaluate(grid.coefficients(), g, u);
  const DisplacementField w = [&] {
    DisplacementField f(g);
    std::mt19937 rng(9);
    std::uniform_real_distribution<float> d(-1, 1);
    for (Vec3f& v : f.buffer()) v = {d(rng), d(rng), d(rng)};
    return f;
  }();
  double lhs = 0;
  for (std::int64_t i = 0; i < u.voxel_count(); ++i)
    lhs += u.data()[i].cast<double>().dot(w.data()[i].cast<double>());
  std::vector<double> gradient(grid.parameter_count());
  grid.adjoint(w, gradient);
  double rhs = 0;
  for (std::size_t i = 0; i < gradient.size(); ++i) rhs += gradient[i] * grid.coefficients()[i];
  EXPECT_NEAR(lhs, rhs, 1e-4 * std::abs(lhs));
}

TEST(BSplineGrid, RejectsAGridWithAnotherDirection) {
  const Geometry g = test::oblique_geometry({8, 8, 8});
  BSplineGrid grid(g, 6.0);
  Geometry other = g;
  other.direction = Mat3::identity();
  DisplacementField u;
  EXPECT_EQ(test::error_of([&] { grid.evaluate(grid.coefficients(), other, u); }).kind(),
            ErrorKind::kData);
}

}  // namespace
}  // namespace modir::transform
