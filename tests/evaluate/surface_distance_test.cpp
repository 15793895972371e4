#include "modir/evaluate/surface_distance.h"

#include <gtest/gtest.h>

#include <cmath>

#include "support/test_support.h"

namespace modir::evaluate {
namespace {

void fill_box(LabelMap& labels, std::uint16_t label, Size3 lo, Size3 hi) {
  for (std::int64_t k = lo[2]; k <= hi[2]; ++k)
    for (std::int64_t j = lo[1]; j <= hi[1]; ++j)
      for (std::int64_t i = lo[0]; i <= hi[0]; ++i) labels(i, j, k) = label;
}

Geometry anisotropic_grid() {
  Geometry g = test::oblique_geometry({12, 10, 10});  // direction must not matter
  g.spacing = {1.0, 2.0, 3.0};
  return g;
}

TEST(BoundaryMask, KeepsVoxelsWithAForeignFaceNeighbour) {
  Geometry g;
  g.size = {5, 5, 5};
  LabelMap labels(g, 0);
  fill_box(labels, 2, {1, 1, 1}, {3, 3, 3});
  const Image<std::uint8_t> cube = boundary_mask(labels, 2);
  int count = 0;
  for (const std::uint8_t v : cube.buffer()) count += v;
  EXPECT_EQ(count, 26);  // all of the 3x3x3 cube but its centre
  EXPECT_EQ(cube(2, 2, 2), 0);
  // Filling the grid: only the voxels on the grid's faces are surface.
  const Image<std::uint8_t> full = boundary_mask(LabelMap(g, 4), 4);
  count = 0;
  for (const std::uint8_t v : full.buffer()) count += v;
  EXPECT_EQ(count, 125 - 27);
}

// Fixed box 6x5x4 voxels; the warped one is the same box one slice (3 mm) higher. By hand: of
// each box's 96 surface voxels, the 30 of its outer z face are 3 mm from the other surface, 12 of
// the other z face (inside the other box) are 1 mm or 2 mm from the other's x faces (6 each), and
// the remaining 54 lie on the other surface. Pooled: 108 x 0, 12 x 1, 12 x 2, 60 x 3 mm.
TEST(SurfaceDistance, BoxesShiftedAlongTheCoarseAxis) {
  const Geometry g = anisotropic_grid();
  LabelMap fixed(g, 0), warped(g, 0);
  fill_box(fixed, 1, {2, 2, 1}, {7, 6, 4});
  fill_box(warped, 1, {2, 2, 2}, {7, 6, 5});
  const SurfaceDistance d = surface_distance(fixed, warped, 1);
  EXPECT_TRUE(d.measured());
  EXPECT_EQ(d.fixed_surface_voxels, 96);
  EXPECT_EQ(d.warped_surface_voxels, 96);
  EXPECT_NEAR(d.mean_surface_mm, (12 * 1.0 + 12 * 2.0 + 60 * 3.0) / 192.0, 1e-6);
  EXPECT_NEAR(d.hausdorff_mm, 3.0, 1e-6);
  EXPECT_NEAR(d.hd95_mm, 3.0, 1e-6);
}

// A spike of three voxels on top of the warped box: the Hausdorff distance sees its tip (9 mm),
// the 95th percentile does not. Pooled: 190 zeros and 1 mm (the fixed voxel under the spike, now
// inside the warped label, to its x neighbour), 3, 6 and 9 mm (the spike's voxels).
TEST(SurfaceDistance, Hd95IgnoresASmallSpikeThatTheHausdorffDistanceSees) {
  const Geometry g = anisotropic_grid();
  LabelMap fixed(g, 0);
  fill_box(fixed, 1, {2, 2, 1}, {7, 6, 4});
  LabelMap warped = fixed;
  fill_box(warped, 1, {4, 4, 5}, {4, 4, 7});
  const SurfaceDistance d = surface_distance(fixed, warped, 1);
  EXPECT_EQ(d.fixed_surface_voxels, 96);
  EXPECT_EQ(d.warped_surface_voxels, 98);
  EXPECT_NEAR(d.hausdorff_mm, 9.0, 1e-6);
  EXPECT_NEAR(d.hd95_mm, 0.0, 1e-6);
  EXPECT_NEAR(d.mean_surface_mm, 19.0 / 194.0, 1e-6);
}

TEST(SurfaceDistance, IdenticalMapsAreAllZero) {
  LabelMap labels(anisotropic_grid(), 0);
  fill_box(labels, 1, {2, 2, 1}, {7, 6, 4});
  fill_box(labels, 6, {0, 0, 6}, {11, 9, 9});  // touches the grid's edge
  const std::vector<SurfaceDistance> all = surface_distances(labels, labels);
  ASSERT_EQ(all.size(), 2u);
  for (const SurfaceDistance& d : all) {
    EXPECT_EQ(d.hd95_mm, 0.0);
    EXPECT_EQ(d.hausdorff_mm, 0.0);
    EXPECT_EQ(d.mean_surface_mm, 0.0);
  }
}

TEST(SurfaceDistance, LabelMissingOnOneSideIsNaNAndFlagged) {
  const Geometry g = anisotropic_grid();
  LabelMap fixed(g, 0), warped(g, 0);
  fill_box(fixed, 1, {2, 2, 1}, {7, 6, 4});
  fill_box(warped, 1, {2, 2, 1}, {7, 6, 4});
  fill_box(fixed, 2, {9, 8, 8}, {10, 9, 9});  // only in the fixed map
  fill_box(warped, 3, {0, 0, 0}, {0, 0, 0});  // only in the warped map
  const std::vector<SurfaceDistance> all = surface_distances(fixed, warped);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_TRUE(all[0].measured());
  EXPECT_EQ(all[1].label, 2);
  EXPECT_FALSE(all[1].missing_in_fixed);
  EXPECT_TRUE(all[1].missing_in_warped);
  EXPECT_EQ(all[1].fixed_surface_voxels, 8);
  EXPECT_TRUE(std::isnan(all[1].hd95_mm));
  EXPECT_TRUE(std::isnan(all[1].mean_surface_mm));
  EXPECT_TRUE(all[2].missing_in_fixed);
  EXPECT_FALSE(all[2].missing_in_warped);
  EXPECT_EQ(all[2].warped_surface_voxels, 1);
  EXPECT_TRUE(std::isnan(all[2].hausdorff_mm));
  // A label in neither map: both flags, no crash.
  const SurfaceDistance none = surface_distance(fixed, warped, 40);
  EXPECT_TRUE(none.missing_in_fixed && none.missing_in_warped);
  EXPECT_TRUE(std::isnan(none.hd95_mm));
}

TEST(SurfaceDistance, DifferentGridsAreADataError) {
  Geometry moved = anisotropic_grid();
  moved.origin.x += 5.0;
  const Error e =
      test::error_of([&] { surface_distances(LabelMap(anisotropic_grid()), LabelMap(moved)); });
  EXPECT_EQ(e.kind(), ErrorKind::kData);
  EXPECT_NE(std::string(e.what()).find("same grid"), std::string::npos) << e.what();
}

}  // namespace
}  // namespace modir::evaluate
