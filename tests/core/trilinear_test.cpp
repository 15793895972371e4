#include "modir/core/trilinear.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace modir {
namespace {

// A 5 x 4 x 3 grid of pseudo-random voxels.
struct Grid {
  std::int64_t n[3] = {5, 4, 3};
  std::vector<float> voxels;
  Grid() {
    std::mt19937 random(7);
    std::uniform_real_distribution<float> value(-100.0f, 100.0f);
    for (int v = 0; v < 5 * 4 * 3; ++v) voxels.push_back(value(random));
  }
  float in_cell(const Vec3d& index, Vec3f& d) const {
    const auto ix = static_cast<std::int64_t>(index.x), iy = static_cast<std::int64_t>(index.y),
               iz = static_cast<std::int64_t>(index.z);
    return trilinear_in_cell<true>(voxels.data() + ix + n[0] * (iy + n[1] * iz), n[0],
                                   n[0] * n[1], float(index.x - double(ix)),
                                   float(index.y - double(iy)), float(index.z - double(iz)), d);
  }
};

TEST(Trilinear, BothPathsAgreeInsideAndHitTheVoxelsAtTheirCentres) {
  const Grid g;
  Vec3f d_cell;
  Vec3d d_clamped;
  for (const Vec3d index : {Vec3d{0.25, 1.5, 0.75}, Vec3d{3.9, 2.1, 1.2}, Vec3d{1.0, 1.0, 1.0}}) {
    ASSERT_TRUE(inside_cells(index, g.n));
    const double a = g.in_cell(index, d_cell);
    const double b = trilinear_clamped(g.voxels.data(), g.n, index, &d_clamped);
    EXPECT_NEAR(a, b, 1e-4);
    for (int axis = 0; axis < 3; ++axis) EXPECT_NEAR(d_cell[axis], d_clamped[axis], 1e-3);
  }
  EXPECT_FLOAT_EQ(g.in_cell({1.0, 2.0, 1.0}, d_cell), g.voxels[1 + 5 * (2 + 4 * 1)]);
}

TEST(Trilinear, DerivativeMatchesFiniteDifferences) {
  const Grid g;
  Vec3d d;
  const Vec3d index{1.3, 1.6, 0.4};
  trilinear_clamped(g.voxels.data(), g.n, index, &d);
  constexpr double h = 1e-4;
  for (int axis = 0; axis < 3; ++axis) {
    Vec3d plus = index, minus = index;
    plus[axis] += h;
    minus[axis] -= h;
    const double numeric = (trilinear_clamped(g.voxels.data(), g.n, plus, nullptr) -
                            trilinear_clamped(g.voxels.data(), g.n, minus, nullptr)) /
                           (2 * h);
    EXPECT_NEAR(d[axis], numeric, 1e-6 * std::max(1.0, std::abs(numeric)));
  }
}

TEST(Trilinear, BeyondTheOuterCentresTheValueIsTheBorderContinuedAndFlat) {
  const Grid g;
  Vec3d d;
  const Vec3d outside{-2.0, 1.5, 5.0};  // before x's first centre, after z's last
  EXPECT_FALSE(inside_cells(outside, g.n));
  const double value = trilinear_clamped(g.voxels.data(), g.n, outside, &d);
  EXPECT_DOUBLE_EQ(value, trilinear_clamped(g.voxels.data(), g.n, {0.0, 1.5, 2.0}, nullptr));
  EXPECT_EQ(d.x, 0.0);
  EXPECT_NE(d.y, 0.0);
  EXPECT_EQ(d.z, 0.0);
}

}  // namespace
}  // namespace modir
