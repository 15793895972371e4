// What an organ's two outlines say of its motion (organ_prior.h), and how the neighbour check
// uses it for an organ with too few matches of its own.

#include <gtest/gtest.h>

#include <cmath>

#include "modir/landmarks/consistency.h"
#include "modir/landmarks/organ_prior.h"

namespace modir::landmarks {
namespace {

// A 2 mm grid of 60 x 60 x 40 voxels, origin at (-60, -60, -40) mm, identity direction.
Geometry grid() {
  Geometry g;
  g.size = {60, 60, 40};
  g.spacing = {2.0, 2.0, 2.0};
  g.origin = {-60.0, -60.0, -40.0};
  return g;
}

// Sets `label` on the voxels whose centres lie inside the axis-aligned box [lo, hi] (mm).
void paint_box(LabelMap& labels, const Vec3d& lo, const Vec3d& hi, std::uint16_t label) {
  const Geometry& g = labels.geometry();
  for (std::int64_t z = 0; z < g.size[2]; ++z)
    for (std::int64_t y = 0; y < g.size[1]; ++y)
      for (std::int64_t x = 0; x < g.size[0]; ++x) {
        const Vec3d p = g.index_to_world(Vec3d{double(x), double(y), double(z)});
        if (p.x >= lo.x && p.x <= hi.x && p.y >= lo.y && p.y <= hi.y && p.z >= lo.z && p.z <= hi.z)
          labels(x, y, z) = label;
      }
}

TEST(OrganPrior, AStretchedAndShiftedOrganIsPredictedFromItsOutlines) {
  LabelMap fixed(grid(), 0), moving(grid(), 0);
  // The fixed organ: 20 x 16 x 12 mm around (0, 0, 0). The moving one: stretched by 1.0, 1.5
  // and 2.0 about its centre and moved by (4, -6, 10) mm, like a bladder filling upwards.
  paint_box(fixed, {-10, -8, -6}, {10, 8, 6}, 3);
  paint_box(moving, {-10 + 4, -12 - 6, -12 + 10}, {10 + 4, 12 - 6, 12 + 10}, 3);
  const auto priors = organ_priors(fixed, moving, 0.5);
  ASSERT_GT(priors.size(), 3u);
  ASSERT_TRUE(priors[3]);
  EXPECT_FALSE(priors[1]);  // no such label
  const auto truth = [](const Vec3d& p) {
    return Vec3d{4.0, -6.0, 10.0} + Vec3d{0.0, 0.5 * p.y, 1.0 * p.z};
  };
  for (const Vec3d p : {Vec3d{0, 0, 0}, Vec3d{10, 8, 6}, Vec3d{-10, 8, -6}, Vec3d{3, -5, 2}}) {
    // Voxelised outlines: the spreads are those of voxel centres, within a voxel of the box's.
    EXPECT_LE((priors[3]->displacement(p) - truth(p)).norm(), 1.0) << p.x << " " << p.y;
  }
}

TEST(OrganPrior, AnOutlineCutByTheFieldOfViewTellsNothingButAStraySpeckIsIgnored) {
  LabelMap fixed(grid(), 0), moving(grid(), 0);
  paint_box(fixed, {-10, -8, -6}, {10, 8, 6}, 3);
  paint_box(moving, {-10, -8, -6}, {10, 8, 6}, 3);
  // A speck of the organ on the top slice of the moving scan (a segmentation's stray voxels).
  paint_box(moving, {0, 0, 37}, {2, 2, 40}, 3);
  // Label 2 runs out of the top of both scans: its centroid is the field of view's, not its own.
  paint_box(fixed, {-30, -30, 10}, {-20, -20, 40}, 2);
  paint_box(moving, {-30, -30, 20}, {-20, -20, 40}, 2);
  // Label 4 is too small to say anything (one voxel in the moving scan).
  paint_box(fixed, {20, 20, 0}, {30, 30, 10}, 4);
  paint_box(moving, {20, 20, 0}, {20, 20, 0}, 4);
  const auto priors = organ_priors(fixed, moving, 0.5);
  ASSERT_GT(priors.size(), 3u);
  ASSERT_TRUE(priors[3]);
  EXPECT_LE(priors[3]->displacement({5, 5, 5}).norm(), 0.01);
  EXPECT_FALSE(priors[2]);
  EXPECT_FALSE(priors.size() > 4 && priors[4]);
}

// Three matches on a filling organ move 15-20 mm while the 60 matches around it barely move: with
// its outlines' prediction the check keeps them; without it, the neighbours reject them. A wrong
// match of the same organ is rejected either way.
TEST(OrganPrior, TheNeighbourCheckHoldsAnOrganWithFewMatchesToItsOutlines) {
  std::vector<Vec3d> fixed, moving;
  std::vector<int> groups;
  std::vector<std::optional<Vec3d>> priors;
  for (int i = 0; i < 60; ++i) {
    const double a = 0.1047 * i;
    const Vec3d p{50.0 * std::cos(a), 50.0 * std::sin(a), -20.0 + (i % 5) * 10.0};
    fixed.push_back(p);
    moving.push_back(p + Vec3d{1.0, 0.5, 0.0});
    groups.push_back(1);
    priors.push_back(std::nullopt);
  }
  const auto organ = [](const Vec3d& p) { return Vec3d{0.0, -5.0, 12.0} + p * 0.3; };
  for (const Vec3d p : {Vec3d{5, 10, 20}, Vec3d{-8, 4, 25}, Vec3d{2, -6, 18}, Vec3d{0, 0, 22}}) {
    fixed.push_back(p);
    groups.push_back(3);
    priors.push_back(organ(p) + Vec3d{0.8, -0.6, 1.1});  // the outlines' prediction, 1.5 mm off
  }
  moving.push_back(fixed[60] + organ(fixed[60]));
  moving.push_back(fixed[61] + organ(fixed[61]));
  moving.push_back(fixed[62] + organ(fixed[62]));
  moving.push_back(fixed[63] + organ(fixed[63]) + Vec3d{0.0, 9.0, 0.0});  // a wrong partner
  const ConsistencyResult with = check_consistency(fixed, moving, {}, &groups, &priors);
  const ConsistencyResult without = check_consistency(fixed, moving, {}, &groups);
  for (std::size_t i = 60; i < 63; ++i) {
    EXPECT_TRUE(with.consistent[i]) << i << ": residual " << with.residual_mm[i];
    EXPECT_FALSE(without.consistent[i]) << i;
  }
  EXPECT_FALSE(with.consistent[63]);
  EXPECT_FALSE(without.consistent[63]);
  for (std::size_t i = 0; i < 60; ++i) EXPECT_TRUE(with.consistent[i]) << i;
}

}  // namespace
}  // namespace modir::landmarks
