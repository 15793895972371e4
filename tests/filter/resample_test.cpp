#include "modir/filter/resample.h"

#include <gtest/gtest.h>

#include <cmath>

#include "support/test_support.h"

namespace modir::filter {
namespace {

// A linear function of world position is reproduced exactly by trilinear interpolation, whatever
// the grids' directions: the strongest simple check that index<->world is honoured on both sides.
double linear_field(const Vec3d& p) {
  return 0.5 * p.x - 0.25 * p.y + 2.0 * p.z + 7.0;
}

TEST(Resample, LinearReproducesLinearFunctionAcrossObliqueGrids) {
  const Geometry source = test::oblique_geometry({30, 28, 20});
  Image<double> image(source);
  for (std::int64_t k = 0; k < 20; ++k)
    for (std::int64_t j = 0; j < 28; ++j)
      for (std::int64_t i = 0; i < 30; ++i)
        image(i, j, k) = linear_field(source.index_to_world({double(i), double(j), double(k)}));

  // A target grid inside the source, with another direction and spacing.
  Geometry target;
  target.size = {6, 5, 4};
  target.spacing = {1.1, 0.9, 1.7};
  target.direction = Mat3::from_columns({0, 1, 0}, {1, 0, 0}, {0, 0, -1});
  target.origin = source.index_to_world({12, 12, 10});
  const Image<double> out = resample(image, target, Interpolation::kLinear, -999);
  for (std::int64_t k = 0; k < 4; ++k)
    for (std::int64_t j = 0; j < 5; ++j)
      for (std::int64_t i = 0; i < 6; ++i) {
        const Vec3d p = target.index_to_world({double(i), double(j), double(k)});
        EXPECT_NEAR(out(i, j, k), linear_field(p), 1e-9);
      }
}

TEST(Resample, OutsideValueBeyondHalfVoxel) {
  Geometry g;
  g.size = {4, 4, 4};
  Image<float> image(g, 5.0f);
  Geometry shifted = g;
  shifted.origin = {10, 0, 0};
  const Image<float> out = resample(image, shifted, Interpolation::kLinear, -1.0);
  EXPECT_EQ(out(3, 0, 0), -1.0f);
  Geometry half = g;
  half.origin = {0.5, 0, 0};  // last voxel centre at x = 3.5: exactly the edge margin
  EXPECT_EQ(resample(image, half, Interpolation::kLinear, -1.0)(3, 0, 0), 5.0f);
}

TEST(Resample, NearestKeepsLabelValues) {
  Geometry g;
  g.size = {8, 8, 8};
  LabelMap labels(g);
  for (std::int64_t k = 0; k < 8; ++k)
    for (std::int64_t j = 0; j < 8; ++j)
      for (std::int64_t i = 0; i < 8; ++i)
        labels(i, j, k) = static_cast<std::uint16_t>(i < 4 ? 3 : 7);
  const Geometry fine = geometry_with_spacing(g, {0.5, 0.5, 0.5});
  const LabelMap out = resample(labels, fine, Interpolation::kNearest);
  for (std::uint16_t v : out.buffer()) EXPECT_TRUE(v == 3 || v == 7);
}

TEST(GeometryWithSpacing, KeepsExtentAndCentre) {
  Geometry g = test::oblique_geometry({10, 9, 7});
  const Geometry out = geometry_with_spacing(g, {2.0, 2.6, 1.35});
  // Extents 8 x 11.7 x 18.9 mm -> 4 x 4.5 (rounds to 4 or 5) x 14 voxels.
  EXPECT_EQ(out.size[0], 4);
  EXPECT_EQ(out.size[2], 14);
  const Vec3d old_centre = g.index_to_world({4.5, 4.0, 3.0});
  const Vec3d new_centre = out.index_to_world(
      {(out.size[0] - 1) / 2.0, (out.size[1] - 1) / 2.0, (out.size[2] - 1) / 2.0});
  EXPECT_NEAR((old_centre - new_centre).norm(), 0.0, 1e-9);
  EXPECT_EQ(out.direction, g.direction);
}

}  // namespace
}  // namespace modir::filter
