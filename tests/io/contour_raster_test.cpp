// Rasterisation of hand-made structure sets. Expected voxel sets are worked out by hand (contour
// edges on half-integer index positions, so no voxel centre lies on an edge) or by a brute-force
// per-voxel point-in-polygon test written here, a different method from the scanline fill.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "modir/core/error.h"
#include "modir/io/contour_raster.h"
#include "support/test_support.h"

namespace modir::io {
namespace {

// A grid whose index space is world space shifted: spacing 1 mm, identity direction.
Geometry unit_grid(Size3 size, Vec3d origin = {0, 0, 0}) {
  Geometry g;
  g.size = size;
  g.origin = origin;
  return g;
}

// The world point of continuous index (i, j, k), written out per axis rather than through
// Geometry::index_to_world: origin + i*sx*d0 + j*sy*d1 + k*sz*d2 with d the direction columns.
Vec3d world_of(const Geometry& g, double i, double j, double k) {
  return g.origin + g.direction.column(0) * (i * g.spacing.x) +
         g.direction.column(1) * (j * g.spacing.y) + g.direction.column(2) * (k * g.spacing.z);
}

// A closed planar contour through index-space corners (i, j) on plane k of grid g.
RtContour contour_on(const Geometry& g, double k, std::initializer_list<std::array<double, 2>> ij) {
  RtContour c;
  c.geometric_type = "CLOSED_PLANAR";
  for (const auto& p : ij) c.points.push_back(world_of(g, p[0], p[1], k));
  return c;
}

// An axis-aligned rectangle [i0, i1] x [j0, j1] in index space on plane k.
RtContour rect(const Geometry& g, double k, double i0, double j0, double i1, double j1) {
  return contour_on(g, k, {{i0, j0}, {i1, j0}, {i1, j1}, {i0, j1}});
}

RtStructure structure(const std::string& name, int roi, std::vector<RtContour> contours) {
  RtStructure s;
  s.name = name;
  s.roi_number = roi;
  s.contours = std::move(contours);
  return s;
}

RtStructureSet set_of(std::vector<RtStructure> structures) {
  RtStructureSet set;
  set.label = "synthetic";
  set.structures = std::move(structures);
  return set;
}

std::int64_t count_label(const LabelMap& labels, int value, std::int64_t z = -1) {
  std::int64_t n = 0;
  for (std::int64_t k = 0; k < labels.size()[2]; ++k) {
    if (z >= 0 && k != z) continue;
    for (std::int64_t j = 0; j < labels.size()[1]; ++j)
      for (std::int64_t i = 0; i < labels.size()[0]; ++i) n += labels(i, j, k) == value;
  }
  return n;
}

bool has_warning(const RasterizedLabels& r, const std::string& text) {
  return std::any_of(r.warnings.begin(), r.warnings.end(),
                     [&](const std::string& w) { return w.find(text) != std::string::npos; });
}

TEST(ContourRaster, SquareWithSquareHoleGivesExactVoxels) {
  const Geometry g = unit_grid({12, 12, 3});
  // Outer [1.5, 9.5]^2 covers centres 2..9 (8 x 8 = 64); the hole [3.5, 6.5]^2 removes 3 x 3 = 9.
  // The hole is given with both windings: the even-odd rule ignores orientation.
  for (bool reversed_hole : {false, true}) {
    RtContour hole = rect(g, 1, 3.5, 3.5, 6.5, 6.5);
    if (reversed_hole) std::reverse(hole.points.begin(), hole.points.end());
    const auto set = set_of({structure("ring", 1, {rect(g, 1, 1.5, 1.5, 9.5, 9.5), hole})});
    const RasterizedLabels r = rasterize_structures(set, {}, g);
    ASSERT_EQ(r.structures.size(), 1u);
    EXPECT_EQ(r.structures[0].voxel_count, 55);
    EXPECT_EQ(count_label(r.labels, 1, 1), 55);
    EXPECT_EQ(count_label(r.labels, 1, 0) + count_label(r.labels, 1, 2), 0);  // one plane only
    EXPECT_EQ(r.labels(2, 2, 1), 1);
    EXPECT_EQ(r.labels(9, 9, 1), 1);
    EXPECT_EQ(r.labels(1, 5, 1), 0);
    EXPECT_EQ(r.labels(10, 5, 1), 0);
    EXPECT_EQ(r.labels(4, 4, 1), 0);  // inside the hole
    EXPECT_EQ(r.labels(6, 6, 1), 0);
    EXPECT_EQ(r.labels(7, 7, 1), 1);  // just outside the hole
    // Single plane: the slab is the grid's slice spacing (1 mm): (64 - 9) mm^2 x 1 mm.
    EXPECT_NEAR(r.structures[0].contour_volume_ml, 0.055, 1e-12);
    EXPECT_NEAR(r.structures[0].volume_ml, 0.055, 1e-12);
    EXPECT_TRUE(r.warnings.empty());
  }
}

TEST(ContourRaster, IslandInsideHoleIsFilledAgain) {
  const Geometry g = unit_grid({14, 14, 1});
  // 10 x 10 outer, 6 x 6 hole, 2 x 2 island: 100 - 36 + 4 = 68 voxels and mm^2.
  const auto set =
      set_of({structure("nested", 1,
                        {rect(g, 0, 1.5, 1.5, 11.5, 11.5), rect(g, 0, 3.5, 3.5, 9.5, 9.5),
                         rect(g, 0, 5.5, 5.5, 7.5, 7.5)})});
  const RasterizedLabels r = rasterize_structures(set, {}, g);
  EXPECT_EQ(r.structures[0].voxel_count, 68);
  EXPECT_EQ(r.labels(6, 6, 0), 1);
  EXPECT_EQ(r.labels(4, 6, 0), 0);
  EXPECT_NEAR(r.structures[0].contour_volume_ml, 0.068, 1e-12);
}

TEST(ContourRaster, ContourBetweenSlicesGoesToNearestSlice) {
  const Geometry g = unit_grid({8, 8, 5});
  const auto at_2_4 = set_of({structure("a", 1, {rect(g, 2.4, 1.5, 1.5, 4.5, 4.5)})});
  const RasterizedLabels r = rasterize_structures(at_2_4, {}, g);
  EXPECT_EQ(count_label(r.labels, 1, 2), 9);
  EXPECT_EQ(count_label(r.labels, 1), 9);  // slice 3 is 0.6 slices away: beyond half a slice

  const auto at_2_6 = set_of({structure("a", 1, {rect(g, 2.6, 1.5, 1.5, 4.5, 4.5)})});
  EXPECT_EQ(count_label(rasterize_structures(at_2_6, {}, g).labels, 1, 3), 9);

  // Planes 0.4, 1.4, 2.4 (spacing one slice): slices 0, 1, 2 each take one, slice 3 none.
  const auto stack =
      set_of({structure("a", 1,
                        {rect(g, 0.4, 0.5, 0.5, 1.5, 1.5), rect(g, 1.4, 0.5, 0.5, 2.5, 2.5),
                         rect(g, 2.4, 0.5, 0.5, 3.5, 3.5)})});
  const RasterizedLabels s = rasterize_structures(stack, {}, g);
  EXPECT_EQ(count_label(s.labels, 1, 0), 1);
  EXPECT_EQ(count_label(s.labels, 1, 1), 4);
  EXPECT_EQ(count_label(s.labels, 1, 2), 9);
  EXPECT_EQ(count_label(s.labels, 1, 3), 0);
}

TEST(ContourRaster, FinerContourSpacingTakesTheCoincidentPlane) {
  const Geometry g = unit_grid({12, 12, 5});
  // Planes every half slice from k = 1 to 3; square side n + 1 at the n-th plane, so each slice
  // shows which plane it took. Reach is a quarter slice, so slices 0 and 4 stay empty.
  std::vector<RtContour> contours;
  for (int n = 0; n < 5; ++n)
    contours.push_back(rect(g, 1.0 + 0.5 * n, 0.5, 0.5, 1.5 + n, 1.5 + n));
  const RasterizedLabels r = rasterize_structures(set_of({structure("fine", 1, contours)}), {}, g);
  EXPECT_EQ(count_label(r.labels, 1, 0), 0);
  EXPECT_EQ(count_label(r.labels, 1, 1), 1);   // plane k=1.0, side 1
  EXPECT_EQ(count_label(r.labels, 1, 2), 9);   // plane k=2.0, side 3
  EXPECT_EQ(count_label(r.labels, 1, 3), 25);  // plane k=3.0, side 5
  EXPECT_EQ(count_label(r.labels, 1, 4), 0);
  // Contour volume uses every plane with a half-slice slab: (1 + 4 + 9 + 16 + 25) x 0.5 mm^3.
  EXPECT_NEAR(r.structures[0].contour_volume_ml, 55 * 0.5 / 1000.0, 1e-12);
}

TEST(ContourRaster, CoarseContourSpacingFillsSlabs) {
  Geometry g = unit_grid({12, 12, 10});
  g.spacing = {1, 1, 2};
  // Planes at k = 1, 4, 7 (every 3 slices, 6 mm): slab of +-1.5 slices around each plane.
  const auto set =
      set_of({structure("coarse", 1,
                        {rect(g, 1, 0.5, 0.5, 1.5, 1.5), rect(g, 4, 0.5, 0.5, 2.5, 2.5),
                         rect(g, 7, 0.5, 0.5, 3.5, 3.5)})});
  const RasterizedLabels r = rasterize_structures(set, {}, g);
  const std::int64_t expected[10] = {1, 1, 1, 4, 4, 4, 9, 9, 9, 0};
  for (std::int64_t z = 0; z < 10; ++z) EXPECT_EQ(count_label(r.labels, 1, z), expected[z]) << z;
  // (1 + 4 + 9) mm^2 x 6 mm slab each.
  EXPECT_NEAR(r.structures[0].contour_volume_ml, 14 * 6 / 1000.0, 1e-12);
  EXPECT_NEAR(r.structures[0].volume_ml, 42 * 2 / 1000.0, 1e-12);

  // Planes two slices apart leave slice 2 equidistant: it goes to the lower plane.
  const auto tie = set_of(
      {structure("tie", 1, {rect(g, 1, 0.5, 0.5, 1.5, 1.5), rect(g, 3, 0.5, 0.5, 2.5, 2.5)})});
  const RasterizedLabels t = rasterize_structures(tie, {}, g);
  EXPECT_EQ(count_label(t.labels, 1, 2), 1);
  EXPECT_EQ(count_label(t.labels, 1, 4), 4);
  EXPECT_EQ(count_label(t.labels, 1, 5), 0);
}

TEST(ContourRaster, ContourVolumeDoesNotDependOnTheGrid) {
  // The same world-space structure (a 20 x 10 mm ring with a 4 x 4 mm hole on 3 planes 2 mm
  // apart) measured on two unrelated grids.
  Geometry a = unit_grid({40, 40, 12}, {-5, -5, -1});
  Geometry b = test::oblique_geometry({30, 30, 10});
  b.direction = Mat3::identity();
  b.spacing = {0.7, 0.9, 0.5};
  std::vector<RtContour> contours;
  for (double z : {2.0, 4.0, 6.0}) {
    RtContour outer, hole;
    outer.geometric_type = hole.geometric_type = "CLOSED_PLANAR";
    outer.points = {{1, 1, z}, {21, 1, z}, {21, 11, z}, {1, 11, z}};
    hole.points = {{5, 5, z}, {9, 5, z}, {9, 9, z}, {5, 9, z}};
    contours.push_back(outer);
    contours.push_back(hole);
  }
  const auto set = set_of({structure("ring", 1, contours)});
  const double expected_ml = 3 * (200.0 - 16.0) * 2.0 / 1000.0;
  EXPECT_NEAR(rasterize_structures(set, {}, a).structures[0].contour_volume_ml, expected_ml, 1e-9);
  EXPECT_NEAR(rasterize_structures(set, {}, b).structures[0].contour_volume_ml, expected_ml, 1e-9);
}

// Even-odd point-in-polygon over all polygons, per voxel: the slow reference for the scanline.
bool inside_even_odd(const std::vector<std::vector<std::array<double, 2>>>& polygons, double x,
                     double y) {
  bool inside = false;
  for (const auto& poly : polygons) {
    for (std::size_t n = 0, m = poly.size() - 1; n < poly.size(); m = n++) {
      const auto& a = poly[m];
      const auto& b = poly[n];
      if ((a[1] > y) != (b[1] > y) && x < a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1])) {
        inside = !inside;
      }
    }
  }
  return inside;
}

TEST(ContourRaster, ObliqueGridMatchesBruteForceInWorldCoordinates) {
  const Geometry g = test::oblique_geometry({24, 20, 6});
  // A concave polygon with a triangular hole, in index coordinates of plane k = 3; irregular
  // decimals keep voxel centres off the edges.
  const std::vector<std::vector<std::array<double, 2>>> polygons = {
      {{1.37, 2.11}, {19.83, 0.77}, {21.29, 16.41}, {11.13, 8.93}, {3.71, 17.59}},
      {{6.23, 4.17}, {13.91, 4.63}, {9.47, 7.81}}};
  RtStructure s = structure("oblique", 7, {});
  for (const auto& poly : polygons) {
    RtContour c;
    c.geometric_type = "CLOSED_PLANAR";
    for (const auto& p : poly) c.points.push_back(world_of(g, p[0], p[1], 3.0));
    s.contours.push_back(c);
  }
  const RasterizedLabels r = rasterize_structures(set_of({s}), {}, g);

  // Reference: each voxel centre's world position projected back onto the grid axes by dot
  // products (the direction is orthonormal), then the per-voxel even-odd test.
  std::int64_t expected = 0;
  for (std::int64_t j = 0; j < g.size[1]; ++j) {
    for (std::int64_t i = 0; i < g.size[0]; ++i) {
      const Vec3d w = world_of(g, static_cast<double>(i), static_cast<double>(j), 3.0) - g.origin;
      const double x = w.dot(g.direction.column(0)) / g.spacing.x;
      const double y = w.dot(g.direction.column(1)) / g.spacing.y;
      const bool in = inside_even_odd(polygons, x, y);
      expected += in;
      EXPECT_EQ(r.labels(i, j, 3), in ? 1 : 0) << i << "," << j;
    }
  }
  EXPECT_GT(expected, 150);
  EXPECT_EQ(r.structures[0].voxel_count, expected);
  EXPECT_EQ(count_label(r.labels, 1), expected);  // nothing on other slices
  // Contour volume by the shoelace formula in mm: area in index units x sx x sy x slice spacing.
  auto shoelace = [](const std::vector<std::array<double, 2>>& p) {
    double twice = 0;
    for (std::size_t n = 0, m = p.size() - 1; n < p.size(); m = n++) {
      twice += p[m][0] * p[n][1] - p[n][0] * p[m][1];
    }
    return std::abs(twice) / 2;
  };
  const double area_mm2 =
      (shoelace(polygons[0]) - shoelace(polygons[1])) * g.spacing.x * g.spacing.y;
  EXPECT_NEAR(r.structures[0].contour_volume_ml, area_mm2 * g.spacing.z / 1000.0, 1e-9);
}

TEST(ContourRaster, TiltedContourIsADataError) {
  const Geometry g = test::oblique_geometry({20, 20, 6});
  RtContour c;
  c.geometric_type = "CLOSED_PLANAR";
  c.points = {world_of(g, 1, 1, 2), world_of(g, 8, 1, 2), world_of(g, 8, 8, 2.1),
              world_of(g, 1, 8, 2)};
  try {
    rasterize_structures(set_of({structure("tilted", 1, {c})}), {}, g);
    FAIL() << "a tilted contour was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
    EXPECT_NE(std::string(e.what()).find("not parallel"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("tilted"), std::string::npos) << e.what();
  }
}

TEST(ContourRaster, SmallerStructureKeepsOverlappingVoxels) {
  const Geometry g = unit_grid({12, 12, 3});
  // big: 8 x 8 = 64; small (inside big): 2 x 2 = 4; side: 4 x 2 = 8, of which 2 x 2 overlap big.
  const RtStructure big = structure("big", 10, {rect(g, 1, 0.5, 0.5, 8.5, 8.5)});
  const RtStructure small = structure("small", 20, {rect(g, 1, 2.5, 2.5, 4.5, 4.5)});
  const RtStructure side = structure("side", 30, {rect(g, 1, 6.5, 0.5, 10.5, 2.5)});
  const auto set = set_of({big, small, side});

  const RasterizedLabels r = rasterize_structures(set, {"small", "big", "side"}, g);
  ASSERT_EQ(r.structures.size(), 3u);
  EXPECT_EQ(r.structures[0].name, "small");
  EXPECT_EQ(r.structures[0].label, 1);
  EXPECT_EQ(r.structures[0].roi_number, 20);
  EXPECT_EQ(r.structures[1].name, "big");
  EXPECT_EQ(r.structures[1].label, 2);
  EXPECT_EQ(r.structures[0].voxel_count, 4);
  EXPECT_EQ(r.structures[0].overlap_voxels_lost, 0);
  EXPECT_EQ(r.structures[1].voxel_count, 64 - 4 - 4);
  EXPECT_EQ(r.structures[1].overlap_voxels_lost, 8);
  EXPECT_EQ(r.structures[2].voxel_count, 8);
  EXPECT_EQ(r.structures[2].overlap_voxels_lost, 0);
  EXPECT_EQ(r.labels(3, 3, 1), 1);
  EXPECT_EQ(r.labels(1, 1, 1), 2);
  EXPECT_EQ(r.labels(7, 1, 1), 3);  // overlap of big and side: side is smaller
  EXPECT_EQ(r.labels(10, 1, 1), 3);
  EXPECT_EQ(count_label(r.labels, 1) + count_label(r.labels, 2) + count_label(r.labels, 3),
            64 + 8 - 4);

  // Without names: every structure, labels in file order.
  const RasterizedLabels all = rasterize_structures(set, {}, g);
  EXPECT_EQ(all.structures[0].name, "big");
  EXPECT_EQ(all.labels(1, 1, 1), 1);
  EXPECT_EQ(all.labels(3, 3, 1), 2);
  EXPECT_EQ(all.labels(7, 1, 1), 3);
}

TEST(ContourRaster, UnknownOrRepeatedNameIsAUsageError) {
  const Geometry g = unit_grid({4, 4, 1});
  const auto set = set_of({structure("Heart", 1, {}), structure("Lung L", 2, {})});
  try {
    rasterize_structures(set, {"Lung L", "heart"}, g);
    FAIL() << "an unknown name was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUsage);
    const std::string message = e.what();
    EXPECT_NE(message.find("'heart'"), std::string::npos) << message;
    EXPECT_NE(message.find("'Heart'"), std::string::npos) << message;
    EXPECT_NE(message.find("'Lung L'"), std::string::npos) << message;
  }
  // A name used twice in the file picks the first such structure, with a warning.
  const auto twice = set_of({structure("Heart", 4, {}), structure("Heart", 9, {})});
  const RasterizedLabels r = rasterize_structures(twice, {"Heart"}, g);
  ASSERT_EQ(r.structures.size(), 1u);
  EXPECT_EQ(r.structures[0].roi_number, 4);
  EXPECT_TRUE(has_warning(r, "2 structures are named 'Heart'; using ROI number 4"));
  try {
    rasterize_structures(set, {"Heart", "Heart"}, g);
    FAIL() << "a repeated name was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUsage);
  }
}

TEST(ContourRaster, ContoursOutsideTheGridAreClippedWithWarnings) {
  const Geometry g = unit_grid({8, 8, 4});
  // Partly outside in-plane: [-3.5, 2.5] x [1.5, 3.5] keeps columns 0..2 of rows 2..3 (6 voxels).
  // Wholly outside: a plane far above the grid, and a square beside the grid on slice 1.
  const auto set = set_of(
      {structure("edge", 1, {rect(g, 0, -3.5, 1.5, 2.5, 3.5), rect(g, 1, 20.5, 20.5, 24.5, 24.5)}),
       structure("above", 2, {rect(g, 9, 1.5, 1.5, 3.5, 3.5), rect(g, 10, 1.5, 1.5, 3.5, 3.5)})});
  const RasterizedLabels r = rasterize_structures(set, {}, g);
  EXPECT_EQ(r.structures[0].voxel_count, 6);
  EXPECT_EQ(r.labels(0, 2, 0), 1);
  EXPECT_EQ(r.labels(2, 3, 0), 1);
  EXPECT_EQ(r.labels(3, 3, 0), 0);
  EXPECT_EQ(r.structures[1].voxel_count, 0);
  EXPECT_TRUE(has_warning(r, "'edge': 1 contour(s) extend past the edge")) << r.warnings.size();
  EXPECT_TRUE(has_warning(r, "'edge': 1 contour(s) lie outside"));
  EXPECT_TRUE(has_warning(r, "'above': 2 contour(s) lie outside"));
  EXPECT_TRUE(has_warning(r, "label 2 ('above') is empty"));
  // The contour volume counts the clipped and outside parts too: it describes the contours.
  EXPECT_NEAR(r.structures[0].contour_volume_ml, (6 * 2 + 16) / 1000.0, 1e-12);
}

TEST(ContourRaster, OpenContoursAndEmptyStructuresAreReportedNotFatal) {
  const Geometry g = unit_grid({8, 8, 2});
  RtContour line = rect(g, 0, 1.5, 1.5, 4.5, 4.5);
  line.geometric_type = "OPEN_PLANAR";
  RtContour point;
  point.geometric_type = "POINT";
  point.points = {world_of(g, 2, 2, 1)};
  RtContour two_points = contour_on(g, 1, {{1, 1}, {3, 3}});
  const auto set =
      set_of({structure("mixed", 1, {line, point, two_points, rect(g, 1, 0.5, 0.5, 2.5, 2.5)}),
              structure("nothing", 2, {})});
  const RasterizedLabels r = rasterize_structures(set, {}, g);
  EXPECT_EQ(r.structures[0].voxel_count, 4);
  EXPECT_EQ(count_label(r.labels, 1, 0), 0);  // the open contour on slice 0 is not filled
  EXPECT_EQ(r.structures[1].voxel_count, 0);
  EXPECT_DOUBLE_EQ(r.structures[1].contour_volume_ml, 0.0);
  EXPECT_TRUE(has_warning(r, "'mixed': skipped 2 contour(s) that are not CLOSED_PLANAR"));
  EXPECT_TRUE(has_warning(r, "'mixed': skipped 1 contour(s) with fewer than 3 points"));
  EXPECT_TRUE(has_warning(r, "label 2 ('nothing') is empty: the structure has no contours"));
}

TEST(ContourRaster, MoreStructuresThanA16BitLabelCanHoldIsAnError) {
  std::vector<RtStructure> many(65536);
  for (std::size_t n = 0; n < many.size(); ++n) many[n].name = "s" + std::to_string(n);
  const auto set = set_of(std::move(many));
  try {
    rasterize_structures(set, {}, unit_grid({2, 2, 1}));
    FAIL() << "65536 labels were accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
    EXPECT_NE(std::string(e.what()).find("65535"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace modir::io
