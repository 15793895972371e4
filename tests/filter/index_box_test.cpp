#include <gtest/gtest.h>

#include "modir/filter/index_box.h"

namespace modir::filter {
namespace {

LabelMap grid_of(Size3 size, Vec3d spacing) {
  Geometry g;
  g.size = size;
  g.spacing = spacing;
  g.origin = {10, -5, 2};
  return LabelMap(g, 0);
}

TEST(IndexBox, LabelBoxesHoldEveryVoxelOfEachLabel) {
  LabelMap labels = grid_of({9, 8, 7}, {1, 1, 2});
  labels(2, 3, 1) = 4;
  labels(5, 6, 4) = 4;
  labels(8, 0, 6) = 9;
  const auto boxes = label_boxes(labels);
  ASSERT_EQ(boxes.size(), 3u);  // 0, 4 and 9
  EXPECT_EQ(box_of(boxes, 4).lo, (Size3{2, 3, 1}));
  EXPECT_EQ(box_of(boxes, 4).hi, (Size3{6, 7, 5}));  // one past the last voxel
  EXPECT_EQ(box_of(boxes, 9).size(), (Size3{1, 1, 1}));
  EXPECT_TRUE(box_of(boxes, 7).empty());
  EXPECT_TRUE(box_of(boxes, 0).covers(labels.size()));
  const IndexBox both = united(box_of(boxes, 4), box_of(boxes, 9));
  EXPECT_EQ(both.lo, (Size3{2, 0, 1}));
  EXPECT_EQ(both.hi, (Size3{9, 7, 7}));
  EXPECT_EQ(united(IndexBox{}, both).lo, both.lo);
}

TEST(IndexBox, GrownByMillimetresPerAxisAndClippedToTheGrid) {
  const LabelMap labels = grid_of({20, 20, 10}, {1, 1, 3});
  const IndexBox box = grown({{5, 5, 5}, {7, 7, 6}}, labels.geometry(), 4.0);
  EXPECT_EQ(box.lo, (Size3{1, 1, 3}));   // 4 voxels of 1 mm, 2 of 3 mm (rounded up)
  EXPECT_EQ(box.hi, (Size3{11, 11, 8}));
  EXPECT_TRUE(grown(box, labels.geometry(), 100.0).covers(labels.size()));
}

TEST(IndexBox, CropKeepsWorldPositionsAndPasteWritesBack) {
  LabelMap labels = grid_of({6, 5, 4}, {1, 2, 3});
  labels(3, 2, 1) = 7;
  const IndexBox box{{2, 1, 1}, {5, 4, 3}};
  LabelMap part = crop(labels, box);
  EXPECT_EQ(part.size(), (Size3{3, 3, 2}));
  EXPECT_EQ(part(1, 1, 0), 7);
  const Vec3d there = labels.geometry().index_to_world({3, 2, 1});
  const Vec3d here = part.geometry().index_to_world({1, 1, 0});
  EXPECT_NEAR((there - here).norm(), 0.0, 1e-12);
  part(0, 0, 0) = 5;
  paste(part, box, labels);
  EXPECT_EQ(labels(2, 1, 1), 5);
  EXPECT_EQ(labels(3, 2, 1), 7);
  EXPECT_EQ(labels(0, 0, 0), 0);
}

}  // namespace
}  // namespace modir::filter
