// World-space pictures: a scan stored with flipped axes shows the same picture as the same
// anatomy stored in LPS order, and the orientation letters are drawn where they belong.

#include "modir/report/world_view.h"

#include <gtest/gtest.h>

#include "modir/filter/resample.h"
#include "modir/report/bitmap_font.h"

namespace modir::report {
namespace {

// A 20 x 16 x 10 volume (2 mm) with a bright block on the patient's left, anterior, superior.
Image<float> lps_volume() {
  Geometry g;
  g.size = {20, 16, 10};
  g.spacing = {2.0, 2.0, 2.0};
  g.origin = {-19.0, -15.0, -9.0};
  Image<float> image(g, 0.0f);
  for (std::int64_t z = 6; z < 9; ++z)
    for (std::int64_t y = 2; y < 5; ++y)
      for (std::int64_t x = 13; x < 17; ++x) image(x, y, z) = 400.0f;
  return image;
}

// The same anatomy stored with the first two axes reversed (direction diag(-1, -1, 1)), as
// NIfTI files in RAS order often are.
Image<float> flipped_volume(const Image<float>& lps) {
  Geometry g = lps.geometry();
  g.direction = Mat3::diagonal(Vec3d{-1.0, -1.0, 1.0});
  g.origin = lps.geometry().index_to_world(Vec3d{19.0, 15.0, 0.0});
  Image<float> out(g);
  for (std::int64_t z = 0; z < 10; ++z)
    for (std::int64_t y = 0; y < 16; ++y)
      for (std::int64_t x = 0; x < 20; ++x) out(x, y, z) = lps(19 - x, 15 - y, z);
  return out;
}

TEST(WorldView, FlippedStorageGivesTheSamePicture) {
  const Image<float> lps = lps_volume();
  const Image<float> flipped = flipped_volume(lps);
  const Geometry grid = world_aligned_grid(flipped.geometry());
  EXPECT_TRUE(grid.same_grid(lps.geometry(), 1e-9));
  EXPECT_TRUE(world_aligned_grid(lps.geometry()).same_grid(lps.geometry(), 0.0));
  const Image<float> resampled = filter::resample(flipped, grid, filter::Interpolation::kLinear);
  const Size3 centre{14, 3, 7};  // inside the block
  const auto a = orthogonal_picture(lps, grey_shade({40, 400}), {}, centre);
  const auto b = orthogonal_picture(resampled, grey_shade({40, 400}), {}, centre);
  EXPECT_EQ(a.rgb, b.rgb);
  // Radiological view: the patient's left is on the right of the axial panel, anterior on top.
  io::RgbPicture copy = a;
  // One 2 mm pixel per voxel: the block (x 13..16, y 2..4) sits right of centre, near the top.
  EXPECT_EQ(copy.pixel(14, 3)[0], 255);
  EXPECT_EQ(copy.pixel(5, 3)[0], 102);  // 0 HU in the 40/400 window
}

TEST(WorldView, ObliqueScansGetAGridAlongTheWorldAxes) {
  Geometry g;
  g.size = {10, 10, 5};
  g.spacing = {1.0, 1.0, 3.0};
  const double c = std::cos(0.3), s = std::sin(0.3);
  g.direction.m[0][0] = c, g.direction.m[0][1] = -s, g.direction.m[1][0] = s, g.direction.m[1][1] = c;
  const Geometry grid = world_aligned_grid(g);
  EXPECT_EQ(grid.direction, Mat3::identity());
  EXPECT_DOUBLE_EQ(grid.spacing[2], 3.0);  // slice thickness kept on the axis nearest to it
  // The box covers the rotated one: 10 mm turned by 0.3 rad spans 10 (cos + sin) mm.
  EXPECT_EQ(grid.size[0], std::llround(10.0 * (c + s)));
  const Vec3d centre = g.index_to_world(Vec3d{4.5, 4.5, 2.0});
  const Vec3d grid_centre = grid.index_to_world(
      Vec3d{(grid.size[0] - 1) / 2.0, (grid.size[1] - 1) / 2.0, (grid.size[2] - 1) / 2.0});
  EXPECT_NEAR(centre.x, grid_centre.x, 1e-9);
  EXPECT_NEAR(centre.y, grid_centre.y, 1e-9);
}

TEST(WorldView, AnnotationsMarkEdgesAndAddTheLegendBelow) {
  const Image<float> image = lps_volume();
  io::RgbPicture picture = orthogonal_picture(image, grey_shade({40, 400}), {});
  const int height = picture.height;
  const PanelLayout layout = orthogonal_layout(image.geometry());
  annotate_orthogonal(picture, layout, {{"bladder", {200, 80, 40}}, {"rectum", {255, 80, 200}}});
  EXPECT_GT(picture.height, height);
  // The legend's first swatch in its colour, just below the panels.
  EXPECT_EQ(picture.pixel(4, height + 4)[0], 200);
  EXPECT_EQ(picture.pixel(4, height + 4)[2], 40);
  // The "A" at the top centre of the axial panel: some pixel there is the letters' colour.
  bool letter = false;
  for (int y = 0; y < kGlyphHeight + 4; ++y)
    for (int x = layout.panels[0][2] / 2 - 4; x < layout.panels[0][2] / 2 + 4; ++x)
      letter = letter || (picture.pixel(x, y)[0] == 255 && picture.pixel(x, y)[2] == 120);
  EXPECT_TRUE(letter);
}

}  // namespace
}  // namespace modir::report
