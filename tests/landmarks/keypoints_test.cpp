// Förstner keypoints sit on corners, not along edges or inside flat regions.

#include <gtest/gtest.h>

#include "modir/landmarks/keypoints.h"
#include "modir/landmarks/working_image.h"

namespace modir::landmarks {
namespace {

Image<float> cube_in_box() {
  Geometry g;
  g.size = {48, 48, 48};
  g.spacing = {2, 2, 2};
  Image<float> image(g, 0.0f);
  // A bright cube from index 14 to 33 (world 28..66 mm).
  for (std::int64_t z = 14; z < 34; ++z)
    for (std::int64_t y = 14; y < 34; ++y)
      for (std::int64_t x = 14; x < 34; ++x) image(x, y, z) = 100.0f;
  return image;
}

TEST(Keypoints, ACubeGivesItsCornersFirst) {
  const Image<float> image = cube_in_box();
  const Image<std::uint8_t> region(image.geometry(), 1);
  KeypointOptions options;
  options.max_count = 8;
  const std::vector<Keypoint> found = detect_keypoints(image, region, options);
  ASSERT_EQ(found.size(), 8u);
  // The cube's corners lie at 27 and 67 mm (the faces between voxels 13|14 and 33|34); the
  // smoothing pulls a detected corner up to a few mm inward.
  for (const Keypoint& k : found) {
    for (int a = 0; a < 3; ++a) {
      const double to_corner =
          std::min(std::abs(k.position[a] - 27.0), std::abs(k.position[a] - 67.0));
      EXPECT_LE(to_corner, 5.0) << "axis " << a << " at " << k.position[a];
    }
  }
}

TEST(Keypoints, AFlatImageHasNone) {
  Geometry g;
  g.size = {20, 20, 20};
  const Image<float> flat(g, 5.0f);
  const Image<std::uint8_t> region(g, 1);
  EXPECT_TRUE(detect_keypoints(flat, region, {}).empty());
}

TEST(Keypoints, TheyKeepTheirDistance) {
  const Image<float> image = cube_in_box();
  const Image<std::uint8_t> region(image.geometry(), 1);
  KeypointOptions options;
  options.min_distance_mm = 12.0;
  const std::vector<Keypoint> found = detect_keypoints(image, region, options);
  for (std::size_t i = 0; i < found.size(); ++i)
    for (std::size_t j = i + 1; j < found.size(); ++j)
      EXPECT_GE((found[i].position - found[j].position).norm(), 12.0);
}

TEST(WorkingImage, AnAnisotropicObliqueScanBecomesIsotropicInWorldAxes) {
  Geometry g;
  g.size = {40, 30, 12};
  g.spacing = {1.0, 1.0, 3.0};
  g.origin = {-20, 10, 5};
  const double c = std::cos(0.3), s = std::sin(0.3);
  g.direction = Mat3::from_columns({c, s, 0}, {-s, c, 0}, {0, 0, 1});
  Image<float> scan(g, -1000.0f);
  for (std::int64_t z = 2; z < 10; ++z)
    for (std::int64_t y = 5; y < 25; ++y)
      for (std::int64_t x = 5; x < 35; ++x) scan(x, y, z) = 40.0f;
  const WorkingImage w = make_working_image(scan, 2.0, 4.0);
  EXPECT_EQ(w.image.geometry().spacing, (Vec3d{2, 2, 2}));
  EXPECT_EQ(w.image.geometry().direction.m, Mat3::identity().m);
  EXPECT_TRUE(w.looks_like_ct);
  // The region lies in the patient and keeps 4 mm from the scan's faces.
  const Geometry& wg = w.region.geometry();
  std::int64_t inside = 0;
  for (std::int64_t z = 0; z < wg.size[2]; ++z)
    for (std::int64_t y = 0; y < wg.size[1]; ++y)
      for (std::int64_t x = 0; x < wg.size[0]; ++x) {
        if (!w.region(x, y, z)) continue;
        ++inside;
        const Vec3d index = g.world_to_index(wg.index_to_world({double(x), double(y), double(z)}));
        EXPECT_GE(index.z, 4.0 / 3.0 - 1e-9);
        EXPECT_LE(index.z, 11.0 - 4.0 / 3.0 + 1e-9);
      }
  EXPECT_GT(inside, 0);
}

}  // namespace
}  // namespace modir::landmarks
