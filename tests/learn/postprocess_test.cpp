#include <gtest/gtest.h>

#include "modir/learn/postprocess.h"
#include "modir/learn/preprocess.h"
#include "support/test_support.h"

namespace modir::learn {
namespace {

// Scores on a network grid that say "class 1 where world x > 10 mm (LPS), class 0 elsewhere".
ClassScores world_x_scores(const Geometry& grid) {
  ClassScores s;
  s.grid = grid;
  s.channels = 2;
  const std::int64_t n = grid.voxel_count();
  s.values.resize(static_cast<std::size_t>(2 * n));
  for (std::int64_t k = 0; k < grid.size[2]; ++k)
    for (std::int64_t j = 0; j < grid.size[1]; ++j)
      for (std::int64_t i = 0; i < grid.size[0]; ++i) {
        const double x = grid.index_to_world({double(i), double(j), double(k)}).x;
        const std::int64_t v = i + grid.size[0] * (j + grid.size[1] * k);
        const float p = x > 10.0 ? 1.0f : 0.0f;
        s.values[std::size_t(v)] = 1.0f - p;
        s.values[std::size_t(n + v)] = p;
      }
  return s;
}

TEST(NetworkGrid, IsAxisAlignedAndCoversAnObliqueScan) {
  const Geometry scan = test::oblique_geometry({30, 20, 9});
  const Geometry grid = network_grid(scan, {3, 3, 3});
  EXPECT_TRUE(grid.direction == Mat3::identity());
  for (const double i : {0.0, 29.0})
    for (const double k : {0.0, 8.0}) {
      const Vec3d index = grid.world_to_index(scan.index_to_world({i, 19.0, k}));
      EXPECT_TRUE(grid.contains_index(index));
    }
}

TEST(LabelsFromScores, FollowWorldPositionsOnFlippedAndObliqueGrids) {
  for (Geometry target : {test::oblique_geometry({24, 18, 10}), Geometry{}}) {
    if (target.size[0] == 0) {  // a scan with x and y flipped, as DICOM-to-NIfTI often gives
      target.size = {20, 16, 12};
      target.spacing = {1.5, 1.5, 2.5};
      target.origin = {30, 20, -10};
      target.direction = Mat3::diagonal({-1, -1, 1});
    }
    const Geometry grid = network_grid(target, {1.0, 1.0, 1.0});
    const LabelMap labels = labels_from_scores(world_x_scores(grid), target, {0, 5});
    EXPECT_TRUE(labels.geometry().same_grid(target));
    int wrong = 0, total = 0;
    for (std::int64_t k = 0; k < target.size[2]; ++k)
      for (std::int64_t j = 0; j < target.size[1]; ++j)
        for (std::int64_t i = 0; i < target.size[0]; ++i) {
          const double x = target.index_to_world({double(i), double(j), double(k)}).x;
          if (std::abs(x - 10.0) < 1.0) continue;  // interpolation at the boundary
          ++total;
          wrong += labels(i, j, k) != (x > 10.0 ? 5 : 0);
        }
    EXPECT_GT(total, 100);
    EXPECT_EQ(wrong, 0);
  }
}

TEST(KeepLargestComponents, RemovesSmallIslandsOfEachLabel) {
  Geometry g;
  g.size = {12, 6, 6};
  LabelMap labels(g, 1);
  for (std::int64_t k = 1; k < 4; ++k)
    for (std::int64_t j = 1; j < 4; ++j)
      for (std::int64_t i = 1; i < 4; ++i) labels(i, j, k) = 3;  // 27 voxels
  labels(9, 4, 4) = 3;                                           // an island
  labels(10, 1, 1) = 4;                                          // a lone other label
  keep_largest_components(labels, {3, 4}, 1);
  EXPECT_EQ(labels(9, 4, 4), 1);
  EXPECT_EQ(labels(2, 2, 2), 3);
  EXPECT_EQ(labels(10, 1, 1), 4);
  std::int64_t bladder = 0;
  for (const std::uint16_t v : labels.buffer()) bladder += v == 3;
  EXPECT_EQ(bladder, 27);
}

TEST(ConstrainToBody, ClearsLabelsOutsideAndFillsTheBodyInside) {
  Geometry g;
  g.size = {6, 1, 1};
  LabelMap labels(g, 0);
  labels(0, 0, 0) = 3;  // an organ in the air: cleared
  labels(1, 0, 0) = 1;  // body in the air: cleared
  labels(2, 0, 0) = 0;  // background inside the patient: body
  labels(3, 0, 0) = 3;  // an organ inside: kept
  Image<std::uint8_t> body(g, 0);
  body(2, 0, 0) = body(3, 0, 0) = body(4, 0, 0) = 1;
  EXPECT_EQ(constrain_to_body(labels, body, 0, std::uint16_t{1}), 4);
  const std::vector<std::uint16_t> expected{0, 0, 1, 3, 1, 0};
  EXPECT_EQ(labels.buffer(), expected);
  // Without a body class, background inside stays background.
  LabelMap no_body(g, 0);
  no_body(0, 0, 0) = 5;
  EXPECT_EQ(constrain_to_body(no_body, body, 0, std::nullopt), 1);
  for (const std::uint16_t v : no_body.buffer()) EXPECT_EQ(v, 0);
  // A mask of another grid is refused.
  Geometry other = g;
  other.spacing.x = 2.0;
  EXPECT_THROW(constrain_to_body(labels, Image<std::uint8_t>(other, 1), 0, std::nullopt), Error);
}

TEST(FillOrganHoles, ClaimsBodyAndBackgroundEnclosedWithinASliceNotOtherOrgans) {
  Geometry g;
  g.size = {12, 12, 4};
  LabelMap labels(g, 1);  // body
  // A bladder wall (3) around a 5 x 5 inside on slices 1 and 2; inside: body, one background
  // voxel and a prostate (6) voxel. Slice 3 has a gap in the wall.
  for (std::int64_t k = 1; k < 4; ++k)
    for (std::int64_t j = 3; j <= 9; ++j)
      for (std::int64_t i = 3; i <= 9; ++i)
        if (i == 3 || i == 9 || j == 3 || j == 9) labels(i, j, k) = 3;
  labels(3, 6, 3) = 1;  // the gap
  labels(5, 5, 1) = 0;
  labels(6, 6, 2) = 6;
  const std::vector<std::int64_t> changed = fill_organ_holes(labels, {3}, {0, 1});
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0], 25 + 24);  // slice 1: all 25; slice 2: all but the prostate voxel
  EXPECT_EQ(labels(5, 5, 1), 3);
  EXPECT_EQ(labels(6, 6, 1), 3);
  EXPECT_EQ(labels(6, 6, 2), 6);
  EXPECT_EQ(labels(6, 6, 3), 1);  // open through the gap: stays
  EXPECT_EQ(labels(6, 6, 0), 1);  // no wall on slice 0
  // Nothing marked, nothing done; a label that is absent changes nothing.
  LabelMap before = labels;
  EXPECT_TRUE(fill_organ_holes(labels, {}, {0, 1}).empty());
  EXPECT_EQ(fill_organ_holes(labels, {7}, {0, 1}), std::vector<std::int64_t>{0});
  EXPECT_EQ(labels.buffer(), before.buffer());
}

TEST(FillOrganHoles, FillsTheAxialSlicesOfASagittallyStoredScan) {
  // i runs head to foot: axial slices are the planes across i. A ring in a plane of constant i
  // is filled; the same ring in a plane of constant k (coronal here) is not.
  Geometry g;
  g.size = {8, 10, 10};
  g.direction = Mat3::from_columns({0, 0, -1}, {0, 1, 0}, {1, 0, 0});
  LabelMap axial_ring(g, 1), other_ring(g, 1);
  for (std::int64_t a = 2; a <= 7; ++a)
    for (std::int64_t b = 2; b <= 7; ++b)
      if (a == 2 || a == 7 || b == 2 || b == 7) {
        axial_ring(4, a, b) = 3;
        other_ring(a, b, 4) = 3;
      }
  EXPECT_EQ(fill_organ_holes(axial_ring, {3}, {0, 1}), std::vector<std::int64_t>{16});
  EXPECT_EQ(axial_ring(4, 4, 4), 3);
  EXPECT_EQ(fill_organ_holes(other_ring, {3}, {0, 1}), std::vector<std::int64_t>{0});
}

}  // namespace
}  // namespace modir::learn
