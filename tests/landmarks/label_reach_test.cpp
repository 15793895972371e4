// The matcher's label check: a label within reach of a point is measured to the labelled voxels'
// extent, so thick slices do not shrink the reach.

#include <gtest/gtest.h>

#include "modir/landmarks/label_reach.h"

namespace modir::landmarks {
namespace {

// 1 x 1 x 5 mm voxels, origin at 0: slice k holds z in [5k - 2.5, 5k + 2.5] mm.
LabelMap thick_slices() {
  Geometry g;
  g.size = {20, 20, 10};
  g.spacing = {1.0, 1.0, 5.0};
  LabelMap labels(g, 1);
  for (std::int64_t y = 0; y < 20; ++y)
    for (std::int64_t x = 0; x < 20; ++x) labels(x, y, 4) = 3;  // slice 4: z 17.5 .. 22.5 mm
  return labels;
}

TEST(LabelReach, APointInsideALabelledVoxelIsWithinAnyReach) {
  const LabelMap labels = thick_slices();
  // 2.4 mm above the centre of slice 4, still inside its voxels: the voxel centre is 2.4 mm away,
  // more than the matcher's 2 mm, but the label is where the point is.
  const Vec3d inside{10.0, 10.0, 22.4};
  EXPECT_EQ(label_at(labels, inside), 3);
  EXPECT_TRUE(label_within(labels, inside, 3, 0.0));
  EXPECT_TRUE(label_within(labels, inside, 3, 2.0));
}

TEST(LabelReach, TheReachIsMeasuredFromTheVoxelsFaces) {
  const LabelMap labels = thick_slices();
  // 1.9 mm above slice 4's upper face (z 22.5): within 2 mm, not within 1.5 mm.
  const Vec3d above{10.0, 10.0, 24.4};
  EXPECT_EQ(label_at(labels, above), 1);
  EXPECT_TRUE(label_within(labels, above, 3, 2.0));
  EXPECT_FALSE(label_within(labels, above, 3, 1.5));
  EXPECT_FALSE(label_within(labels, {10.0, 10.0, 30.0}, 3, 2.0));  // 7.5 mm above the face
  EXPECT_TRUE(label_within(labels, {10.0, 10.0, 16.0}, 3, 2.0));   // 1.5 mm below its lower face
  // Outside the grid: no label there, but one within reach is still found.
  EXPECT_EQ(label_at(labels, {-5.0, 10.0, 20.0}), -1);
  EXPECT_TRUE(label_within(labels, {-1.0, 10.0, 20.0}, 3, 1.0));  // 0.5 mm beyond column 0's face
  EXPECT_FALSE(label_within(labels, {-3.0, 10.0, 20.0}, 3, 2.0));  // 2.5 mm beyond it
}

}  // namespace
}  // namespace modir::landmarks
