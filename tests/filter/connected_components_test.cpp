#include <gtest/gtest.h>

#include <vector>

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

// The 26-connected components by plain flood fill, numbered in order of their first voxel: the
// reference the run-based labelling must reproduce exactly.
Components flood_fill(const LabelMap& labels, std::uint16_t label) {
  const Size3 n = labels.size();
  Components out;
  out.index.assign(static_cast<std::size_t>(labels.voxel_count()), -1);
  std::vector<std::int64_t> stack;
  for (std::int64_t seed = 0; seed < labels.voxel_count(); ++seed) {
    if (labels.data()[seed] != label || out.index[static_cast<std::size_t>(seed)] >= 0) continue;
    const auto component = static_cast<std::int32_t>(out.sizes.size());
    out.sizes.push_back(0);
    out.index[static_cast<std::size_t>(seed)] = component;
    stack.assign(1, seed);
    while (!stack.empty()) {
      const std::int64_t v = stack.back();
      stack.pop_back();
      ++out.sizes.back();
      const std::int64_t x = v % n[0], y = (v / n[0]) % n[1], z = v / (n[0] * n[1]);
      for (std::int64_t dz = -1; dz <= 1; ++dz)
        for (std::int64_t dy = -1; dy <= 1; ++dy)
          for (std::int64_t dx = -1; dx <= 1; ++dx) {
            const std::int64_t a = x + dx, b = y + dy, c = z + dz;
            if (a < 0 || b < 0 || c < 0 || a >= n[0] || b >= n[1] || c >= n[2]) continue;
            const std::int64_t u = labels.linear_index(a, b, c);
            if (labels.data()[u] == label && out.index[static_cast<std::size_t>(u)] < 0) {
              out.index[static_cast<std::size_t>(u)] = component;
              stack.push_back(u);
            }
          }
    }
  }
  return out;
}

TEST(ConnectedComponents, MatchesAFloodFillOnRandomLabelMaps) {
  // Sparse to dense random maps give many small pieces, long runs, and runs that meet only at a
  // corner across rows and slices.
  std::uint64_t state = 12345;
  const auto next = [&state] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<std::uint32_t>(state >> 33);
  };
  for (const std::uint32_t percent : {5u, 20u, 35u, 60u}) {
    LabelMap labels = blank({23, 17, 11});
    for (std::uint16_t& v : labels.buffer()) v = next() % 100 < percent ? 4 : (next() % 3 == 0);
    const Components expected = flood_fill(labels, 4);
    const Components got = connected_components(labels, 4);
    EXPECT_EQ(got.sizes, expected.sizes) << percent << " %";
    EXPECT_EQ(got.index, expected.index) << percent << " %";
  }
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
