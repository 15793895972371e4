#include "modir/evaluate/overlap.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace modir::evaluate {
namespace {

void fill_box(LabelMap& labels, std::uint16_t label, Size3 lo, Size3 hi) {
  for (std::int64_t k = lo[2]; k <= hi[2]; ++k)
    for (std::int64_t j = lo[1]; j <= hi[1]; ++j)
      for (std::int64_t i = lo[0]; i <= hi[0]; ++i) labels(i, j, k) = label;
}

Geometry grid() {
  Geometry g;
  g.size = {20, 20, 10};
  g.spacing = {1.0, 2.0, 3.0};  // 6 mm^3 voxels
  return g;
}

TEST(LabelOverlaps, DiceOfTwoShiftedBoxes) {
  LabelMap fixed(grid(), 0), warped(grid(), 0);
  // 6 x 5 x 4 = 120 voxels each; shifted by 2 along x they share 4 x 5 x 4 = 80.
  fill_box(fixed, 1, {2, 2, 1}, {7, 6, 4});
  fill_box(warped, 1, {4, 2, 1}, {9, 6, 4});
  // Label 3 only in the fixed map: a vanished organ.
  fill_box(fixed, 3, {12, 12, 6}, {13, 13, 6});
  const std::vector<LabelOverlap> o = label_overlaps(fixed, warped);
  ASSERT_EQ(o.size(), 2u);
  EXPECT_EQ(o[0].label, 1);
  EXPECT_EQ(o[0].fixed_voxels, 120);
  EXPECT_EQ(o[0].warped_voxels, 120);
  EXPECT_EQ(o[0].common_voxels, 80);
  EXPECT_DOUBLE_EQ(o[0].dice, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(o[0].fixed_ml, 0.72);  // 120 voxels of 6 mm^3
  EXPECT_EQ(o[1].label, 3);
  EXPECT_EQ(o[1].fixed_voxels, 4);
  EXPECT_EQ(o[1].warped_voxels, 0);
  EXPECT_EQ(o[1].dice, 0.0);
  EXPECT_DOUBLE_EQ(o[1].fixed_ml, 0.024);
  EXPECT_EQ(o[1].warped_ml, 0.0);
}

TEST(LabelOverlaps, IdenticalMapsHaveDiceOne) {
  LabelMap labels(grid(), 0);
  fill_box(labels, 5, {0, 0, 0}, {19, 3, 9});
  fill_box(labels, 9, {3, 10, 2}, {4, 12, 5});
  for (const LabelOverlap& o : label_overlaps(labels, labels)) EXPECT_EQ(o.dice, 1.0);
}

TEST(LabelOverlaps, DifferentGridsAreADataErrorDescribingBoth) {
  Geometry other = grid();
  other.spacing = {1.0, 2.0, 2.5};
  const Error e = test::error_of([&] { label_overlaps(LabelMap(grid()), LabelMap(other)); });
  EXPECT_EQ(e.kind(), ErrorKind::kData);
  const std::string message = e.what();
  EXPECT_NE(message.find("1x2x3 mm"), std::string::npos) << message;
  EXPECT_NE(message.find("1x2x2.5 mm"), std::string::npos) << message;
}

}  // namespace
}  // namespace modir::evaluate
