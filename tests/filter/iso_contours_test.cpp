#include "modir/filter/iso_contours.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace modir::filter {
namespace {

Image<float> slice_image(std::int64_t nx, std::int64_t ny) {
  Geometry g;
  g.size = {nx, ny, 1};
  return Image<float>(g, 0.0f);
}

// Even-odd rule at a point, the way RTSTRUCT readers fill CLOSED_PLANAR contours.
bool inside_polygons(const std::vector<SlicePolygon>& polygons, double x, double y) {
  bool in = false;
  for (const SlicePolygon& p : polygons)
    for (std::size_t i = 0, j = p.size() - 1; i < p.size(); j = i++) {
      if ((p[i][1] > y) != (p[j][1] > y) &&
          x < (p[j][0] - p[i][0]) * (y - p[i][1]) / (p[j][1] - p[i][1]) + p[i][0])
        in = !in;
    }
  return in;
}

TEST(IsoContours, OneVoxelIsADiamondThroughTheMidpoints) {
  Image<float> image = slice_image(5, 4);
  image(2, 1, 0) = 1.0f;
  const auto polygons = iso_contours(image, 0, 0.5f);
  ASSERT_EQ(polygons.size(), 1u);
  ASSERT_EQ(polygons[0].size(), 4u);
  EXPECT_NEAR(std::abs(signed_area(polygons[0])), 0.5, 1e-12);
  for (const auto& v : polygons[0])
    EXPECT_NEAR(std::abs(v[0] - 2.0) + std::abs(v[1] - 1.0), 0.5, 1e-12);
}

TEST(IsoContours, AFullSliceClosesHalfAVoxelOutside) {
  Image<float> image = slice_image(6, 3);
  for (float& v : image.buffer()) v = 1.0f;
  const auto polygons = iso_contours(image, 0, 0.5f);
  ASSERT_EQ(polygons.size(), 1u);
  // Corners are cut at the four corner voxels: 6 x 3 minus four triangles of 1/8 voxel.
  EXPECT_NEAR(std::abs(signed_area(polygons[0])), 6.0 * 3.0 - 4 * 0.125, 1e-12);
}

// The property an RTSTRUCT round trip needs: the even-odd fill of the polygons at the voxel
// centres is the mask, whatever its shape (holes, islands, diagonal touches, the slice's edge).
TEST(IsoContours, FillingThePolygonsAtTheVoxelCentresGivesTheMaskBack) {
  std::mt19937 random(5);
  for (int trial = 0; trial < 20; ++trial) {
    const std::int64_t nx = 7 + trial % 9, ny = 5 + trial % 7;
    Image<float> image = slice_image(nx, ny);
    std::bernoulli_distribution coin(0.3 + 0.02 * trial);
    for (float& v : image.buffer()) v = coin(random) ? 1.0f : 0.0f;
    const auto polygons = iso_contours(image, 0, 0.5f);
    for (std::int64_t y = 0; y < ny; ++y)
      for (std::int64_t x = 0; x < nx; ++x)
        ASSERT_EQ(inside_polygons(polygons, double(x), double(y)), image(x, y, 0) >= 0.5f)
            << "trial " << trial << " voxel " << x << ", " << y;
  }
}

TEST(IsoContours, ARingGivesAnOuterAndAnInnerPolygonOfOppositeOrientation) {
  Image<float> image = slice_image(9, 9);
  for (std::int64_t y = 1; y < 8; ++y)
    for (std::int64_t x = 1; x < 8; ++x) image(x, y, 0) = 1.0f;
  image(4, 4, 0) = 0.0f;
  const auto polygons = iso_contours(image, 0, 0.5f);
  ASSERT_EQ(polygons.size(), 2u);
  EXPECT_LT(signed_area(polygons[0]) * signed_area(polygons[1]), 0.0);
  EXPECT_FALSE(inside_polygons(polygons, 4.0, 4.0));
  EXPECT_TRUE(inside_polygons(polygons, 3.0, 4.0));
}

// A smooth fractional disc (a linear ramp two voxels wide across its edge, as linear interpolation of
// a warped mask gives) yields a sub-voxel contour: its area is the disc's, not a staircase's.
TEST(IsoContours, AFractionalDiscHasTheDiscsArea) {
  const double radius = 7.3, cx = 10.4, cy = 9.7;
  Image<float> image = slice_image(22, 21);
  for (std::int64_t y = 0; y < 21; ++y)
    for (std::int64_t x = 0; x < 22; ++x) {
      const double d = std::hypot(double(x) - cx, double(y) - cy) - radius;
      image(x, y, 0) = static_cast<float>(std::clamp(0.5 - d / 2.0, 0.0, 1.0));
    }
  const auto polygons = iso_contours(image, 0, 0.5f);
  ASSERT_EQ(polygons.size(), 1u);
  const double area = std::abs(signed_area(polygons[0]));
  EXPECT_NEAR(area, M_PI * radius * radius, 0.01 * M_PI * radius * radius);
  for (const auto& v : polygons[0]) EXPECT_NEAR(std::hypot(v[0] - cx, v[1] - cy), radius, 0.05);
}

TEST(IsoContours, AnEmptySliceHasNoContours) {
  EXPECT_TRUE(iso_contours(slice_image(4, 4), 0, 0.5f).empty());
  EXPECT_THROW(iso_contours(slice_image(4, 4), 1, 0.5f), std::out_of_range);
}

}  // namespace
}  // namespace modir::filter
