#include "modir/transform/invert_field.h"

#include <gtest/gtest.h>

#include <cmath>

#include "modir/transform/sample_field.h"

namespace modir::transform {
namespace {

Geometry grid_of(Size3 size, Vec3d spacing) {
  Geometry g;
  g.size = size;
  g.spacing = spacing;
  g.origin = {-10.0, 5.0, 20.0};
  const double a = 0.2;
  g.direction = Mat3::from_columns({std::cos(a), std::sin(a), 0}, {-std::sin(a), std::cos(a), 0},
                                   {0, 0, 1});
  return g;
}

// An affine displacement u(x) = (A - I) x + t has the analytic inverse v(y) = (A^-1 - I) y - A^-1 t.
TEST(InvertDisplacement, AffineFieldHasItsAnalyticInverse) {
  const Geometry g = grid_of({20, 18, 14}, {2.0, 2.0, 3.0});
  const Mat3 A = Mat3::from_columns({1.1, 0.05, 0.0}, {-0.04, 0.92, 0.03}, {0.02, 0.0, 1.05});
  const Vec3d t{1.5, -2.0, 0.7};
  DisplacementField u(g);
  for (std::int64_t z = 0; z < 14; ++z)
    for (std::int64_t y = 0; y < 18; ++y)
      for (std::int64_t x = 0; x < 20; ++x) {
        const Vec3d p = g.index_to_world({double(x), double(y), double(z)});
        u(x, y, z) = (A * p + t - p).cast<float>();
      }
  const InversionResult r = invert_displacement(u, g);
  const Mat3 Ai = A.inverse();
  std::int64_t checked = 0;
  for (std::int64_t z = 0; z < 14; ++z)
    for (std::int64_t y = 0; y < 18; ++y)
      for (std::int64_t x = 0; x < 20; ++x) {
        const Vec3d q = g.index_to_world({double(x), double(y), double(z)});
        const Vec3d preimage = Ai * (q - t);
        const Vec3d i = g.world_to_index(preimage);
        // Only where the preimage lies well inside u's grid is u the affine map.
        if (i.x < 0.5 || i.y < 0.5 || i.z < 0.5 || i.x > 18.5 || i.y > 16.5 || i.z > 12.5)
          continue;
        const Vec3d expected = preimage - q;
        const Vec3d got = r.inverse(x, y, z).cast<double>();
        ASSERT_NEAR(got.x, expected.x, 1e-3);
        ASSERT_NEAR(got.y, expected.y, 1e-3);
        ASSERT_NEAR(got.z, expected.z, 1e-3);
        ++checked;
      }
  EXPECT_GT(checked, 1000);
  EXPECT_GT(r.outside_points, 0);  // the edges map from outside u's grid
  EXPECT_LT(r.residual.max_mm, 2e-3);
}

// A large smooth deformation (Jacobian determinant from about 0.25 to 2.25): Newton's method converges
// at every point, and v undoes u from u's side up to v's own interpolation.
TEST(InvertDisplacement, LargeSmoothFieldIsInvertedToWithinItsInterpolation) {
  const Geometry g = grid_of({40, 36, 24}, {1.5, 1.5, 2.5});
  DisplacementField u(g);
  for (std::int64_t z = 0; z < 24; ++z)
    for (std::int64_t y = 0; y < 36; ++y)
      for (std::int64_t x = 0; x < 40; ++x) {
        const Vec3d p = g.index_to_world({double(x), double(y), double(z)});
        u(x, y, z) = Vec3d{6.0 * std::sin(p.x / 12.0) * std::cos(p.z / 20.0),
                           5.0 * std::sin(p.y / 10.0 + 0.3), 3.0 * std::cos(p.x / 15.0)}
                         .cast<float>();
      }
  const InversionResult r = invert_displacement(u, g);
  EXPECT_EQ(r.unconverged_points, 0);
  EXPECT_LT(r.residual.max_mm, 2e-3);
  const InverseResidual back = inverse_consistency(u, r.inverse);
  EXPECT_GT(back.points, g.voxel_count() / 2);
  EXPECT_LT(back.mean_mm, 0.05);
  EXPECT_LT(back.p95_mm, 0.15);
}

TEST(InvertDisplacement, ShiftIsNegatedOnAnotherGrid) {
  const Geometry g = grid_of({16, 16, 10}, {2.0, 2.0, 2.0});
  DisplacementField u(g, Vec3f{3.0f, -2.0f, 1.0f});
  Geometry other = g;
  other.spacing = {1.3, 1.7, 2.2};
  other.size = {12, 12, 8};
  const InversionResult r = invert_displacement(u, other);
  for (const Vec3f& v : r.inverse.buffer()) {
    EXPECT_NEAR(v.x, -3.0f, 1e-4);
    EXPECT_NEAR(v.y, 2.0f, 1e-4);
    EXPECT_NEAR(v.z, -1.0f, 1e-4);
  }
}

}  // namespace
}  // namespace modir::transform
