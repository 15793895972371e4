#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "modir/filter/connected_components.h"
#include "modir/filter/label_pieces.h"

namespace modir::filter {
namespace {

LabelMap blank(Size3 size, Vec3d spacing = {1, 1, 1}) {
  Geometry g;
  g.size = size;
  g.spacing = spacing;
  g.origin = {-10, 5, 20};
  return LabelMap(g, 0);
}

void fill_box(LabelMap& labels, std::uint16_t label, Size3 from, Size3 to) {
  for (std::int64_t z = from[2]; z <= to[2]; ++z)
    for (std::int64_t y = from[1]; y <= to[1]; ++y)
      for (std::int64_t x = from[0]; x <= to[0]; ++x) labels(x, y, z) = label;
}

// A box of n voxels along an axis with spacing s spreads by s * sqrt((n^2 - 1) / 12).
double box_spread(double n, double s) {
  return s * std::sqrt((n * n - 1.0) / 12.0);
}

TEST(LabelPieces, BoxesGiveTheirVolumesCentroidsAndSpreads) {
  LabelMap labels = blank({20, 16, 12}, {0.8, 1.5, 3.0});
  fill_box(labels, 3, {2, 3, 2}, {9, 6, 4});       // 8 x 4 x 3, inside
  fill_box(labels, 3, {14, 10, 7}, {15, 11, 11});  // 2 x 2 x 5, on the last slice
  fill_box(labels, 7, {10, 3, 2}, {12, 6, 4});     // touches the first box but is another label
  const auto pieces = label_pieces(labels);
  ASSERT_EQ(pieces.size(), 8u);
  ASSERT_EQ(pieces[3].size(), 2u);
  ASSERT_EQ(pieces[7].size(), 1u);
  EXPECT_TRUE(pieces[1].empty());

  const VoxelMoments& first = pieces[3][0];
  EXPECT_EQ(first.voxels, 8 * 4 * 3);
  EXPECT_FALSE(first.touches_outer_layer);
  const Vec3d centre = first.centroid(labels.geometry());
  EXPECT_NEAR(centre.x, -10 + 0.8 * 5.5, 1e-9);
  EXPECT_NEAR(centre.y, 5 + 1.5 * 4.5, 1e-9);
  EXPECT_NEAR(centre.z, 20 + 3.0 * 3.0, 1e-9);
  const Vec3d spread = first.spread(labels.geometry());
  EXPECT_NEAR(spread.x, box_spread(8, 0.8), 1e-9);
  EXPECT_NEAR(spread.y, box_spread(4, 1.5), 1e-9);
  EXPECT_NEAR(spread.z, box_spread(3, 3.0), 1e-9);

  EXPECT_EQ(pieces[3][1].voxels, 20);
  EXPECT_TRUE(pieces[3][1].touches_outer_layer);
  const VoxelMoments whole = combined(pieces[3]);
  EXPECT_EQ(whole.voxels, 96 + 20);
  EXPECT_TRUE(whole.touches_outer_layer);
  // The small piece holds 20 / 96 of the large one's voxels.
  EXPECT_EQ(pieces_at_least(pieces[3], 0.2).size(), 2u);
  EXPECT_EQ(pieces_at_least(pieces[3], 0.25).size(), 1u);
  EXPECT_EQ(pieces_at_least(pieces[3], 0.0, 21.0).size(), 1u);
  EXPECT_FALSE(combined(pieces_at_least(pieces[3], 0.25)).touches_outer_layer);
}

TEST(LabelPieces, SpreadFollowsTheWorldAxesOfARotatedGrid) {
  LabelMap labels = blank({12, 12, 12});
  Geometry g = labels.geometry();
  // Index x runs along world y, index y along world -x.
  g.direction = Mat3::from_columns({0, 1, 0}, {-1, 0, 0}, {0, 0, 1});
  labels = LabelMap(g, 0);
  fill_box(labels, 1, {1, 2, 3}, {10, 4, 5});  // 10 x 3 x 3 along the index axes
  const VoxelMoments m = combined(label_pieces(labels)[1]);
  const Vec3d spread = m.spread(g);
  EXPECT_NEAR(spread.x, box_spread(3, 1), 1e-9);
  EXPECT_NEAR(spread.y, box_spread(10, 1), 1e-9);
  EXPECT_NEAR(spread.z, box_spread(3, 1), 1e-9);
  const Vec3d expected = g.index_to_world({5.5, 3, 4});
  EXPECT_NEAR((m.centroid(g) - expected).norm(), 0.0, 1e-9);
}

// On random maps the pieces of every label are exactly connected_components' (voxel by voxel
// sums), so the two views of a map cannot drift apart.
TEST(LabelPieces, AgreeWithConnectedComponentsOnRandomMaps) {
  std::mt19937 random(7);
  std::uniform_int_distribution<int> label(0, 3);
  for (int trial = 0; trial < 5; ++trial) {
    LabelMap labels = blank({13, 9, 7});
    for (std::int64_t v = 0; v < labels.voxel_count(); ++v)
      labels.data()[v] = static_cast<std::uint16_t>(label(random) == 0 ? 0 : label(random));
    const auto pieces = label_pieces(labels);
    for (std::uint16_t id = 1; id <= 3; ++id) {
      const Components c = connected_components(labels, id);
      ASSERT_EQ(pieces[id].size(), c.sizes.size());
      std::vector<double> sum_x(c.sizes.size(), 0.0);
      for (std::int64_t z = 0; z < 7; ++z)
        for (std::int64_t y = 0; y < 9; ++y)
          for (std::int64_t x = 0; x < 13; ++x) {
            const std::int32_t k = c.index[static_cast<std::size_t>(labels.linear_index(x, y, z))];
            if (k >= 0) sum_x[static_cast<std::size_t>(k)] += double(x * x);
          }
      for (std::size_t k = 0; k < c.sizes.size(); ++k) {
        EXPECT_EQ(pieces[id][k].voxels, c.sizes[k]);
        EXPECT_DOUBLE_EQ(pieces[id][k].products[0], sum_x[k]);
      }
    }
  }
}

}  // namespace
}  // namespace modir::filter
