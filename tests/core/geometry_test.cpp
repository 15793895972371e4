#include "modir/core/geometry.h"

#include <gtest/gtest.h>

#include <cmath>

#include "modir/core/error.h"
#include "support/test_support.h"

namespace modir {
namespace {

// A 90 degree rotation about z: index x runs along world +y (posterior), index y along world -x
// (right), index z along +z (superior).
Geometry rotated_geometry() {
  Geometry g;
  g.size = {10, 20, 30};
  g.spacing = {2, 3, 4};
  g.origin = {10, 20, 30};
  g.direction = Mat3::from_columns({0, 1, 0}, {-1, 0, 0}, {0, 0, 1});
  return g;
}

TEST(Geometry, IndexToWorldMatchesHandComputation) {
  const Geometry g = rotated_geometry();
  // origin + D * (1*2, 2*3, 3*4) = (10,20,30) + (-6, 2, 12)
  const Vec3d w = g.index_to_world({1, 2, 3});
  EXPECT_DOUBLE_EQ(w.x, 4.0);
  EXPECT_DOUBLE_EQ(w.y, 22.0);
  EXPECT_DOUBLE_EQ(w.z, 42.0);
  const Vec3d o = g.index_to_world({0, 0, 0});
  EXPECT_EQ(o, g.origin);
}

TEST(Geometry, WorldToIndexInvertsIndexToWorld) {
  const Geometry g = test::oblique_geometry();
  for (const Vec3d index : {Vec3d{0, 0, 0}, Vec3d{1.5, -0.25, 3}, Vec3d{6, 4, 3}}) {
    const Vec3d back = g.world_to_index(g.index_to_world(index));
    EXPECT_NEAR(back.x, index.x, 1e-9);
    EXPECT_NEAR(back.y, index.y, 1e-9);
    EXPECT_NEAR(back.z, index.z, 1e-9);
  }
}

TEST(Geometry, WorldToIndexHandComputed) {
  const Geometry g = rotated_geometry();
  const Vec3d index = g.world_to_index({4, 22, 42});
  EXPECT_NEAR(index.x, 1.0, 1e-12);
  EXPECT_NEAR(index.y, 2.0, 1e-12);
  EXPECT_NEAR(index.z, 3.0, 1e-12);
}

// A 3 mm sample: every 2nd voxel at 1.5 mm and at 1.75 mm (3.5 mm; every voxel would be 1.75 mm,
// further from 3), every voxel at 3 mm and coarser; 0 takes every voxel.
TEST(Geometry, SamplingStrideIsTheNearestWholeNumberOfVoxels) {
  Geometry g;
  g.size = {10, 10, 10};
  g.spacing = {1.5, 1.75, 3.0};
  EXPECT_EQ(g.sampling_stride(3.0), (Size3{2, 2, 1}));
  g.spacing = {7.0, 1.0, 0.9};
  EXPECT_EQ(g.sampling_stride(3.0), (Size3{1, 3, 3}));
  EXPECT_EQ(g.sampling_stride(0.0), (Size3{1, 1, 1}));
}

TEST(Geometry, OrientationCodes) {
  Geometry identity;
  identity.size = {1, 1, 1};
  EXPECT_EQ(identity.orientation_toward(), "LPS");
  EXPECT_EQ(identity.orientation_itk(), "RAI");
  const Geometry r = rotated_geometry();
  EXPECT_EQ(r.orientation_toward(), "PRS");
  EXPECT_EQ(r.orientation_itk(), "ALI");
  Geometry flipped;
  flipped.direction = Mat3::diagonal({-1, -1, 1});  // the usual NIfTI RAS image seen in LPS
  EXPECT_EQ(flipped.orientation_toward(), "RAS");
}

TEST(Geometry, SameGridToleratesRoundingButNotShifts) {
  const Geometry a = test::oblique_geometry();
  Geometry b = a;
  b.origin.x += 1e-7;
  EXPECT_TRUE(a.same_grid(b));
  b.origin.x += 0.1;
  EXPECT_FALSE(a.same_grid(b));
  Geometry c = a;
  c.size[2] += 1;
  EXPECT_FALSE(a.same_grid(c));
}

TEST(Geometry, ContainsIndexUsesHalfVoxelMargin) {
  Geometry g;
  g.size = {4, 4, 4};
  EXPECT_TRUE(g.contains_index({-0.5, 0, 3.5}));
  EXPECT_FALSE(g.contains_index({-0.51, 0, 0}));
  EXPECT_FALSE(g.contains_index({0, 0, 3.51}));
}

TEST(Geometry, ValidateRejectsBadHeaders) {
  Geometry g = rotated_geometry();
  EXPECT_NO_THROW(g.validate("ok.nii"));

  Geometry zero = g;
  zero.spacing.y = 0;
  EXPECT_THROW(zero.validate("zero.nii"), Error);
  Geometry negative = g;
  negative.spacing.z = -1;
  EXPECT_THROW(negative.validate("negative.nii"), Error);
  Geometry nan = g;
  nan.spacing.x = std::nan("");
  EXPECT_THROW(nan.validate("nan.nii"), Error);
  Geometry sheared = g;
  sheared.direction(0, 1) = 0.3;
  try {
    sheared.validate("sheared.nii");
    FAIL() << "a sheared direction must be rejected";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("sheared.nii"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("orthonormal"), std::string::npos);
    EXPECT_EQ(e.exit_code(), 1);
  }
  Geometry empty = g;
  empty.size[1] = 0;
  EXPECT_THROW(empty.validate("empty.nii"), Error);
}

TEST(Mat3, InverseAndDeterminant) {
  const Mat3 m = Mat3::from_columns({2, 0, 1}, {1, 3, 0}, {0, 1, 4});
  // det by cofactor expansion of [[2,1,0],[0,3,1],[1,0,4]] = 2*12 - 1*(0-1) + 0 = 25
  EXPECT_DOUBLE_EQ(m.determinant(), 25.0);
  EXPECT_LT((m * m.inverse()).max_abs_difference(Mat3::identity()), 1e-14);
}

}  // namespace
}  // namespace modir
