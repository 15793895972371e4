#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "modir/filter/dense_objects.h"

namespace modir::filter {
namespace {

// Soft tissue (40 HU with a fixed +-15 HU texture) on 1 x 1 x 3 mm voxels, x and y flipped as
// DICOM-to-NIfTI often gives: distances must come from the spacing, positions from the direction.
Image<float> tissue(Size3 size = {40, 40, 16}) {
  Geometry g;
  g.size = size;
  g.spacing = {1.0, 1.0, 3.0};
  g.origin = {20.0, -5.0, -30.0};
  g.direction = Mat3::diagonal({-1, -1, 1});
  Image<float> ct(g);
  for (std::int64_t i = 0; i < ct.voxel_count(); ++i)
    ct.data()[i] = 40.0f + 15.0f * float(std::sin(0.7 * double(i)));
  return ct;
}

// A gold seed as a scanner sees it: a 4 mm long tube along x at (cx, cy, cz) (index space), a
// 0.4 mm Gaussian cross-section of a huge line integral, clipped at 3071 HU.
void add_seed(Image<float>& ct, double cx, double cy, double cz) {
  const Geometry& g = ct.geometry();
  for (std::int64_t z = 0; z < g.size[2]; ++z)
    for (std::int64_t y = 0; y < g.size[1]; ++y)
      for (std::int64_t x = 0; x < g.size[0]; ++x) {
        const double along = std::max(0.0, std::abs(double(x) - cx) * g.spacing.x - 2.0);
        const double r2 = std::pow(along, 2) + std::pow((double(y) - cy) * g.spacing.y, 2) +
                          std::pow((double(z) - cz) * g.spacing.z, 2);
        const double value = 200000.0 * std::exp(-r2 / (2.0 * 0.4 * 0.4));
        ct(x, y, z) = float(std::min(3071.0, ct(x, y, z) + value));
      }
}

double distance_mm(const Geometry& g, Size3 a, Vec3d b) {
  const Vec3d d =
      g.index_to_world({double(a[0]), double(a[1]), double(a[2])}) - g.index_to_world(b);
  return std::sqrt(d.x * d.x + d.y * d.y + d.z * d.z);
}

bool same_bits(const Image<float>& a, const Image<float>& b) {
  return std::memcmp(a.data(), b.data(), sizeof(float) * std::size_t(a.voxel_count())) == 0;
}

TEST(DenseObjects, AGoldSeedIsFilledWithTheTissueAroundIt) {
  const Image<float> before = [] {
    Image<float> ct = tissue();
    add_seed(ct, 20, 20, 8);
    return ct;
  }();
  std::int64_t core_voxels = 0;
  for (const float v : before.buffer()) core_voxels += v >= kMetalHu;
  ASSERT_GT(core_voxels, 3);
  Image<float> ct = before;
  const std::vector<DenseObject> objects = fill_small_dense_objects(ct);
  ASSERT_EQ(objects.size(), 1u);
  const DenseObject& o = objects[0];
  EXPECT_NEAR(o.core_ml, double(core_voxels) * ct.geometry().voxel_ml(), 1e-12);
  const Vec3d centre = ct.geometry().index_to_world({20, 20, 8});
  EXPECT_NEAR(o.centre_mm.x, centre.x, 0.01);
  EXPECT_NEAR(o.centre_mm.y, centre.y, 0.01);
  EXPECT_NEAR(o.centre_mm.z, centre.z, 0.01);
  EXPECT_GT(o.fill_hu, 25.0f);  // the texture's median, not the seed's
  EXPECT_LT(o.fill_hu, 55.0f);
  EXPECT_GE(o.filled_voxels, core_voxels);
  std::int64_t changed = 0;
  for (std::int64_t z = 0; z < ct.size()[2]; ++z)
    for (std::int64_t y = 0; y < ct.size()[1]; ++y)
      for (std::int64_t x = 0; x < ct.size()[0]; ++x) {
        // Nothing of the seed is left: no voxel brighter than the tissue's texture allows.
        EXPECT_LE(ct(x, y, z), 56.0f) << x << "," << y << "," << z;
        if (ct(x, y, z) != before(x, y, z)) {
          ++changed;
          EXPECT_EQ(ct(x, y, z), o.fill_hu);
          // Near the seed: its tube ends 2 mm from its centre, and the halo reaches 4 mm.
          EXPECT_LT(distance_mm(ct.geometry(), {x, y, z}, {20, 20, 8}), 2.0 + 4.0 + 1e-9);
        }
      }
  EXPECT_EQ(changed, o.filled_voxels);
  // Filled in a copy: the same voxels, the scan as it was.
  const std::optional<Image<float>> copy = with_small_dense_objects_filled(before);
  ASSERT_TRUE(copy.has_value());
  EXPECT_TRUE(same_bits(*copy, ct));
  // Found without filling: the same object.
  const std::vector<DenseObject> found = find_small_dense_objects(before);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].core_ml, o.core_ml);
  EXPECT_EQ(found[0].centre_mm, o.centre_mm);
}

TEST(DenseObjects, AScanWithoutThemIsLeftBitForBit) {
  Image<float> ct = tissue();
  for (std::int64_t z = 2; z < 6; ++z)
    for (std::int64_t y = 5; y < 15; ++y)
      for (std::int64_t x = 5; x < 15; ++x) ct(x, y, z) = 1900.0f;  // dense cortical bone
  ct(30, 30, 10) = kMetalHu - 1.0f;
  ct(31, 30, 10) = std::nanf("");
  const Image<float> before = ct;
  EXPECT_TRUE(fill_small_dense_objects(ct).empty());
  EXPECT_TRUE(same_bits(ct, before));
  EXPECT_TRUE(find_small_dense_objects(ct).empty());
  EXPECT_FALSE(with_small_dense_objects_filled(ct).has_value());  // and no copy
}

TEST(DenseObjects, ImplantsAndFragmentsBesideThemAreLeftAlone) {
  Image<float> ct = tissue();
  // A 1.6 ml block of metal (20 x 20 x 4 voxels of 3 mm^3) and, 2 mm beside it, a fragment the
  // threshold cut off (a prosthesis' values dip below it in places).
  for (std::int64_t z = 4; z < 8; ++z)
    for (std::int64_t y = 5; y < 25; ++y)
      for (std::int64_t x = 5; x < 25; ++x) ct(x, y, z) = 3071.0f;
  ct(27, 15, 6) = 3000.0f;
  const Image<float> before = ct;
  EXPECT_TRUE(fill_small_dense_objects(ct).empty());
  EXPECT_TRUE(same_bits(ct, before));
  // The same fragment alone, far from any implant, is an object.
  Image<float> alone = tissue();
  alone(27, 15, 6) = 3000.0f;
  EXPECT_EQ(fill_small_dense_objects(alone).size(), 1u);
  EXPECT_LT(alone(27, 15, 6), 60.0f);
  // ... but not inside bone (a femoral stem's piece where thick slices broke the stem apart).
  Image<float> in_bone = tissue();
  for (std::int64_t z = 0; z < in_bone.size()[2]; ++z)
    for (std::int64_t y = 0; y < in_bone.size()[1]; ++y)
      for (std::int64_t x = 12; x < 40; ++x) in_bone(x, y, z) = 1500.0f;
  in_bone(27, 15, 6) = 3000.0f;
  const Image<float> bone_before = in_bone;
  EXPECT_TRUE(fill_small_dense_objects(in_bone).empty());
  EXPECT_TRUE(find_small_dense_objects(in_bone).empty());
  EXPECT_TRUE(same_bits(in_bone, bone_before));
}

TEST(DenseObjects, TheHaloStopsAtTissueItIsNotConnectedTo) {
  Image<float> ct = tissue();
  add_seed(ct, 20, 20, 8);
  // Bone 3 mm from the seed's end along x, within the halo's reach but parted from the seed by
  // tissue: it stays bone.
  for (std::int64_t z = 0; z < ct.size()[2]; ++z)
    for (std::int64_t y = 0; y < ct.size()[1]; ++y)
      for (std::int64_t x = 25; x < 30; ++x) ct(x, y, z) = 1200.0f;
  std::int64_t bone_before = 0;
  for (const float v : ct.buffer()) bone_before += v == 1200.0f;
  ASSERT_EQ(fill_small_dense_objects(ct).size(), 1u);
  std::int64_t bone_after = 0;
  for (const float v : ct.buffer()) bone_after += v == 1200.0f;
  EXPECT_EQ(bone_after, bone_before);
}

TEST(DenseObjects, SeveralSeedsAreListedInRasterOrder) {
  Image<float> ct = tissue();
  add_seed(ct, 28, 30, 10);
  add_seed(ct, 10, 8, 3);
  add_seed(ct, 10, 30, 3);
  const std::vector<DenseObject> objects = fill_small_dense_objects(ct);
  ASSERT_EQ(objects.size(), 3u);
  const Geometry& g = ct.geometry();
  EXPECT_NEAR(g.world_to_index(objects[0].centre_mm).y, 8.0, 0.01);
  EXPECT_NEAR(g.world_to_index(objects[1].centre_mm).y, 30.0, 0.01);
  EXPECT_NEAR(g.world_to_index(objects[2].centre_mm).z, 10.0, 0.01);
  for (const float v : ct.buffer()) ASSERT_LT(v, 60.0f);
}

// A seed 0.4 mm off a voxel centre: its clipped core fills two rows of voxels (centroid 0.5 mm
// off), the partial volume on its far side puts it back where it is.
TEST(DenseObjects, ASeedIsPlacedWithinAVoxel) {
  Image<float> ct = tissue();
  add_seed(ct, 20, 20.4, 8);
  const std::vector<DenseObject> objects = find_small_dense_objects(ct);
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_NEAR(ct.geometry().world_to_index(objects[0].centre_mm).y, 20.4, 0.05);
}

TEST(DenseObjects, ASeedAtTheFieldOfViewsEdgeIsFilled) {
  Image<float> ct = tissue();
  add_seed(ct, 2, 20, 0);  // its tube runs off the grid at x = 0, its core in the first slice
  ASSERT_EQ(fill_small_dense_objects(ct).size(), 1u);
  for (const float v : ct.buffer()) ASSERT_LT(v, 60.0f);
}

}  // namespace
}  // namespace modir::filter
