#include <gtest/gtest.h>

#include "modir/filter/connected_components.h"

namespace modir::filter {
namespace {

LabelMap blank(Size3 size) {
  Geometry g;
  g.size = size;
  return LabelMap(g, 0);
}

TEST(ConnectedComponents, CornerContactJoinsAndGapsSeparate) {
  LabelMap labels = blank({8, 7, 6});
  labels(1, 1, 1) = 5;
  labels(2, 2, 2) = 5;  // touches (1,1,1) at a corner only: the same component (26-connectivity)
  labels(5, 1, 1) = 5;  // a gap of two voxels: its own component
  labels(6, 1, 1) = 5;
  labels(3, 5, 4) = 2;  // another label is not counted
  const Components c = connected_components(labels, 5);
  ASSERT_EQ(c.sizes.size(), 2u);
  EXPECT_EQ(c.largest(), 2);
  EXPECT_EQ(c.index[static_cast<std::size_t>(labels.linear_index(1, 1, 1))],
            c.index[static_cast<std::size_t>(labels.linear_index(2, 2, 2))]);
  EXPECT_NE(c.index[static_cast<std::size_t>(labels.linear_index(1, 1, 1))],
            c.index[static_cast<std::size_t>(labels.linear_index(5, 1, 1))]);
  EXPECT_EQ(c.index[static_cast<std::size_t>(labels.linear_index(3, 5, 4))], -1);
}

TEST(ConnectedComponents, NoWrapAcrossTheRowEnd) {
  // (7, 0, 0) and (0, 1, 0) are neighbours in memory but not in space.
  LabelMap labels = blank({8, 3, 1});
  labels(7, 0, 0) = 1;
  labels(0, 1, 0) = 1;
  EXPECT_EQ(connected_components(labels, 1).sizes.size(), 2u);
}

TEST(RemoveSmallComponents, KeepsPiecesAboveTheFractionOfTheLargest) {
  LabelMap labels = blank({20, 8, 8});
  for (std::int64_t k = 1; k < 5; ++k)
    for (std::int64_t j = 1; j < 5; ++j)
      for (std::int64_t i = 1; i < 5; ++i) labels(i, j, k) = 3;  // 64 voxels
  for (std::int64_t i = 10; i < 17; ++i) labels(i, 2, 2) = 3;    // 7 voxels: 11 % of 64
  labels(18, 6, 6) = 3;                                          // 1 voxel: an island
  LabelMap before = labels;
  EXPECT_EQ(remove_small_components(labels, 3, 0.1, 9), 1);
  EXPECT_EQ(labels(18, 6, 6), 9);
  EXPECT_EQ(labels(12, 2, 2), 3);
  EXPECT_EQ(remove_small_components(labels, 3, 0.5, 0), 7);
  EXPECT_EQ(labels(12, 2, 2), 0);
  EXPECT_EQ(labels(2, 2, 2), 3);
  // A label with one component, or none, is left alone.
  EXPECT_EQ(remove_small_components(before, 4, 0.9, 0), 0);
  EXPECT_EQ(remove_small_components(labels, 3, 1.0, 0), 0);
}

}  // namespace
}  // namespace modir::filter
