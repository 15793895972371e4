#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "modir/filter/slice_holes.h"

namespace modir::filter {
namespace {

Image<std::uint8_t> empty_mask(Size3 size) {
  Geometry g;
  g.size = size;
  g.spacing = {0.9, 1.1, 2.5};
  return Image<std::uint8_t>(g, 0);
}

// A square ring (the edge of [lo, hi] squared) in every plane across `axis` from `first` to
// `last`; the other two coordinates run over the ring.
void square_ring(Image<std::uint8_t>& mask, int axis, std::int64_t first, std::int64_t last,
                 std::int64_t lo, std::int64_t hi) {
  for (std::int64_t p = first; p <= last; ++p)
    for (std::int64_t a = lo; a <= hi; ++a)
      for (std::int64_t b = lo; b <= hi; ++b) {
        if (a != lo && a != hi && b != lo && b != hi) continue;
        Size3 at{0, 0, 0};
        at[static_cast<std::size_t>(axis)] = p;
        at[static_cast<std::size_t>(axis == 0 ? 1 : 0)] = a;
        at[static_cast<std::size_t>(axis == 2 ? 1 : 2)] = b;
        mask(at[0], at[1], at[2]) = 1;
      }
}

// Every plane flooded from its whole edge, without the bounding box the filter uses.
std::int64_t reference_fill(Image<std::uint8_t>& mask, int axis) {
  const Size3 size = mask.size();
  const int ua = axis == 0 ? 1 : 0, va = axis == 2 ? 1 : 2;
  const std::int64_t nu = size[std::size_t(ua)], nv = size[std::size_t(va)];
  std::int64_t filled = 0;
  for (std::int64_t p = 0; p < size[std::size_t(axis)]; ++p) {
    auto at = [&](std::int64_t u, std::int64_t v) -> std::uint8_t& {
      Size3 i{0, 0, 0};
      i[std::size_t(axis)] = p;
      i[std::size_t(ua)] = u;
      i[std::size_t(va)] = v;
      return mask(i[0], i[1], i[2]);
    };
    std::vector<std::uint8_t> reached(std::size_t(nu * nv), 0);
    std::vector<std::pair<std::int64_t, std::int64_t>> stack;
    auto push = [&](std::int64_t u, std::int64_t v) {
      if (u < 0 || v < 0 || u >= nu || v >= nv) return;
      if (at(u, v) || reached[std::size_t(v * nu + u)]) return;
      reached[std::size_t(v * nu + u)] = 1;
      stack.push_back({u, v});
    };
    for (std::int64_t u = 0; u < nu; ++u) push(u, 0), push(u, nv - 1);
    for (std::int64_t v = 0; v < nv; ++v) push(0, v), push(nu - 1, v);
    while (!stack.empty()) {
      const auto [u, v] = stack.back();
      stack.pop_back();
      push(u - 1, v), push(u + 1, v), push(u, v - 1), push(u, v + 1);
    }
    for (std::int64_t v = 0; v < nv; ++v)
      for (std::int64_t u = 0; u < nu; ++u)
        if (!at(u, v) && !reached[std::size_t(v * nu + u)]) at(u, v) = 1, ++filled;
  }
  return filled;
}

TEST(SliceHoles, ARingsInsideIsFilledAcrossItsAxisOnly) {
  // A tube along each axis in turn: its inside is a hole in the planes across the axis, and a
  // channel open at both ends in the planes along it.
  for (int axis = 0; axis < 3; ++axis) {
    Image<std::uint8_t> tube = empty_mask({14, 15, 16});
    square_ring(tube, axis, 2, 9, 3, 9);  // 5 x 5 inside, on 8 planes
    Image<std::uint8_t> across = tube, along = tube;
    EXPECT_EQ(fill_slice_holes(across, axis), 8 * 25) << "axis " << axis;
    for (int other = 0; other < 3; ++other) {
      if (other == axis) continue;
      along = tube;
      EXPECT_EQ(fill_slice_holes(along, other), 0) << "axis " << axis << " across " << other;
    }
    // Filled means exactly the ring's inside.
    Size3 inside{0, 0, 0};
    inside[std::size_t(axis)] = 5;
    inside[std::size_t(axis == 0 ? 1 : 0)] = 6;
    inside[std::size_t(axis == 2 ? 1 : 2)] = 6;
    EXPECT_EQ(across(inside[0], inside[1], inside[2]), 1);
    EXPECT_EQ(tube(inside[0], inside[1], inside[2]), 0);
  }
}

TEST(SliceHoles, AGapInTheRingOrTheGridsEdgeLeavesItOpen) {
  Image<std::uint8_t> mask = empty_mask({12, 12, 3});
  square_ring(mask, 2, 0, 2, 2, 8);
  mask(2, 5, 1) = 0;  // a gap in the middle plane's ring: 4-connected to the outside
  Image<std::uint8_t> filled = mask;
  EXPECT_EQ(fill_slice_holes(filled, 2), 2 * 25);  // 5 x 5 inside on the two closed planes
  EXPECT_EQ(filled(5, 5, 1), 0);
  EXPECT_EQ(filled(5, 5, 0), 1);
  // A diagonal step is no gap: the outside would need 8-connectivity to pass.
  Image<std::uint8_t> corner = empty_mask({12, 12, 1});
  for (std::int64_t t = 0; t < 5; ++t) {
    corner(2 + t, 6 - t, 0) = 1;  // a diamond of diagonal steps around (6, 6)
    corner(6 + t, 2 + t, 0) = 1;
    corner(10 - t, 6 + t, 0) = 1;
    corner(6 - t, 10 - t, 0) = 1;
  }
  EXPECT_GT(fill_slice_holes(corner, 2), 0);
  EXPECT_EQ(corner(6, 6, 0), 1);
  // A ring cut open by the grid's edge holds nothing.
  Image<std::uint8_t> cut = empty_mask({12, 12, 1});
  for (std::int64_t a = 0; a <= 6; ++a) cut(a, 6, 0) = cut(6, a, 0) = 1;  // an L from the edges
  EXPECT_EQ(fill_slice_holes(cut, 2), 0);
}

TEST(SliceHoles, AgreeWithFloodingEachWholePlaneOnRandomMasks) {
  std::mt19937 random(17);
  for (int trial = 0; trial < 30; ++trial) {
    Image<std::uint8_t> mask = empty_mask({9 + trial % 5, 7 + trial % 3, 6 + trial % 4});
    std::bernoulli_distribution on(0.25 + 0.02 * (trial % 10));
    for (std::int64_t v = 0; v < mask.voxel_count(); ++v) mask.data()[v] = on(random) ? 1 : 0;
    for (int axis = 0; axis < 3; ++axis) {
      Image<std::uint8_t> fast = mask, slow = mask;
      const std::int64_t a = fill_slice_holes(fast, axis), b = reference_fill(slow, axis);
      ASSERT_EQ(a, b) << "trial " << trial << " axis " << axis;
      for (std::int64_t v = 0; v < mask.voxel_count(); ++v)
        ASSERT_EQ(fast.data()[v], slow.data()[v]) << "trial " << trial << " voxel " << v;
    }
  }
}

TEST(SliceHoles, TheAxialAxisIsTheOneAlongThePatientsLength) {
  Geometry axial;
  EXPECT_EQ(axial_axis(axial), 2);
  Geometry flipped;
  flipped.direction = Mat3::diagonal({-1, -1, -1});
  EXPECT_EQ(axial_axis(flipped), 2);
  // Sagittal slices stored one after another: i runs head to foot, k left to right.
  Geometry sagittal;
  sagittal.direction = Mat3::from_columns({0, 0, -1}, {0, 1, 0}, {1, 0, 0});
  EXPECT_EQ(axial_axis(sagittal), 0);
  Geometry coronal;
  coronal.direction = Mat3::from_columns({1, 0, 0}, {0, 0, 1}, {0, 1, 0});
  EXPECT_EQ(axial_axis(coronal), 1);
}

TEST(SliceHoles, RefusesAnAxisThatIsNotOne) {
  Image<std::uint8_t> mask = empty_mask({4, 4, 4});
  EXPECT_ANY_THROW(fill_slice_holes(mask, 3));
  EXPECT_ANY_THROW(fill_slice_holes(mask, -1));
}

}  // namespace
}  // namespace modir::filter
