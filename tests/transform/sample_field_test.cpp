#include "modir/transform/sample_field.h"

#include <gtest/gtest.h>

#include <random>

#include "support/test_support.h"

namespace modir::transform {
namespace {

// u(x) = A x + b in world coordinates, stored at the voxel centres of `g`.
struct LinearField {
  Mat3 a;
  Vec3d b{1.5, -2.25, 0.75};
  LinearField() { a.m = {{{0.02, -0.01, 0.03}, {0.01, -0.04, 0.02}, {0.00, 0.015, 0.025}}}; }
  Vec3d operator()(const Vec3d& x) const { return a * x + b; }

  DisplacementField on(const Geometry& g) const {
    DisplacementField field(g);
    for (std::int64_t k = 0; k < g.size[2]; ++k)
      for (std::int64_t j = 0; j < g.size[1]; ++j)
        for (std::int64_t i = 0; i < g.size[0]; ++i)
          field(i, j, k) =
              (*this)(g.index_to_world({double(i), double(j), double(k)})).cast<float>();
    return field;
  }
};

void expect_near(const Vec3d& actual, const Vec3d& expected, double tolerance) {
  for (std::size_t a = 0; a < 3; ++a)
    EXPECT_NEAR(actual[a], expected[a], tolerance) << "axis " << a;
}

// Trilinear interpolation reproduces a linear function exactly, wherever the point falls between
// voxel centres and however the grid is turned.
TEST(SampleField, LinearFieldIsReproducedOnAnObliqueGrid) {
  const Geometry g = test::oblique_geometry({7, 5, 4});
  const LinearField u;
  const DisplacementField field = u.on(g);
  std::mt19937 rng(4);
  std::uniform_real_distribution<double> fx(0.0, 6.0), fy(0.0, 4.0), fz(0.0, 3.0);
  for (int n = 0; n < 200; ++n) {
    const Vec3d x = g.index_to_world({fx(rng), fy(rng), fz(rng)});
    expect_near(sample_field(field, x), u(x), 1e-4);
    expect_near(map_point(field, x), x + u(x), 1e-4);
  }
  // Exactly on the last voxel centre.
  const Vec3d corner = g.index_to_world({6, 4, 3});
  expect_near(sample_field(field, corner), u(corner), 1e-4);
}

TEST(SampleField, PointsOutsideTakeTheNearestEdgeValue) {
  const Geometry g = test::oblique_geometry({7, 5, 4});
  const LinearField u;
  const DisplacementField field = u.on(g);
  // Three voxels beyond the last centre along x and one before the first along z: clamped to
  // index (6, 2.5, 0).
  const Vec3d outside = g.index_to_world({9.0, 2.5, -1.0});
  const Vec3d clamped = g.index_to_world({6.0, 2.5, 0.0});
  expect_near(sample_field(field, outside), u(clamped), 1e-4);
  expect_near(map_point(field, outside), outside + u(clamped), 1e-4);
}

TEST(SampleField, SingleSliceGridIsConstantAcrossTheSlice) {
  Geometry g;
  g.size = {4, 3, 1};
  g.spacing = {2.0, 2.0, 5.0};
  const LinearField u;
  const DisplacementField field = u.on(g);
  const Vec3d x{3.0, 1.0, 0.0};
  expect_near(sample_field(field, x), u(x), 1e-5);
  expect_near(sample_field(field, {3.0, 1.0, 7.0}), u(x), 1e-5);
}

TEST(SampleField, NonFinitePointIsADataError) {
  const DisplacementField field(test::oblique_geometry({3, 3, 3}));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(test::error_of([&] { sample_field(field, {nan, 0.0, 0.0}); }).kind(), ErrorKind::kData);
}

}  // namespace
}  // namespace modir::transform
