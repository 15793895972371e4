#include "modir/transform/jacobian.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace modir::transform {
namespace {

// u(x) = A x (world coordinates) has Jacobian determinant det(I + A) everywhere, on any grid.
TEST(Jacobian, LinearFieldOnObliqueGridMatchesDeterminant) {
  const Geometry g = test::oblique_geometry({9, 8, 7});
  Mat3 a;
  a.m = {{{0.10, -0.05, 0.02}, {0.03, -0.20, 0.04}, {0.00, 0.06, 0.15}}};
  DisplacementField field(g);
  for (std::int64_t k = 0; k < 7; ++k)
    for (std::int64_t j = 0; j < 8; ++j)
      for (std::int64_t i = 0; i < 9; ++i)
        field(i, j, k) = (a * g.index_to_world({double(i), double(j), double(k)})).cast<float>();
  Mat3 identity_plus_a = a;
  for (int r = 0; r < 3; ++r) identity_plus_a(r, r) += 1.0;
  const double expected = identity_plus_a.determinant();
  const Image<float> det = jacobian_determinant(field);
  for (const float v : det.buffer()) EXPECT_NEAR(v, expected, 1e-4);
  const JacobianStatistics s = jacobian_statistics(det);
  EXPECT_EQ(s.folded_voxels, 0);
  EXPECT_NEAR(s.std_log, 0.0, 1e-4);
}

TEST(Jacobian, FoldIsCounted) {
  Geometry g;
  g.size = {7, 1, 1};
  DisplacementField field(g);
  // x + u(x) = 0, 1, 2, 0.5, -1, 5, 6: the map runs backwards around voxel 3.
  const float target[7] = {0, 1, 2, 0.5f, -1, 5, 6};
  for (int i = 0; i < 7; ++i) field(i, 0, 0) = {target[i] - float(i), 0, 0};
  const JacobianStatistics s = jacobian_statistics(jacobian_determinant(field));
  EXPECT_GT(s.folded_voxels, 0);
  EXPECT_LT(s.min, 0.0);
}

}  // namespace
}  // namespace modir::transform
