#include "modir/evaluate/fiducial_markers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace modir::evaluate {
namespace {

// A CT of soft tissue with air in its first slice (so that it reads as a CT in HU), on 1 x 1 x 2
// mm voxels, with gold markers: 2 x 2 x 1 voxels at 3071 HU at the given corner indices.
Image<float> ct_with_markers(const std::vector<Size3>& corners) {
  Geometry g;
  g.size = {48, 48, 24};
  g.spacing = {1.0, 1.0, 2.0};
  g.origin = {-20.0, 10.0, -30.0};
  Image<float> ct(g, 40.0f);
  for (std::int64_t y = 0; y < g.size[1]; ++y)
    for (std::int64_t x = 0; x < g.size[0]; ++x) ct(x, y, 0) = -1000.0f;
  for (const Size3& c : corners)
    for (std::int64_t y = c[1]; y < c[1] + 2; ++y)
      for (std::int64_t x = c[0]; x < c[0] + 2; ++x) ct(x, y, c[2]) = 3071.0f;
  return ct;
}

const std::vector<Size3> kFixedMarkers{{10, 10, 8}, {24, 14, 10}, {16, 28, 12}};

// The moving scan: the markers shifted by 3, -2 and 2 voxels: (3, -2, 4) mm.
const Vec3d kShift{3.0, -2.0, 4.0};
std::vector<Size3> shifted(const std::vector<Size3>& markers) {
  std::vector<Size3> out;
  for (const Size3& m : markers) out.push_back({m[0] + 3, m[1] - 2, m[2] + 2});
  return out;
}

DisplacementField constant_field(const Geometry& grid, const Vec3d& u) {
  return DisplacementField(grid, u.cast<float>());
}

TEST(FiducialMarkers, TheRightFieldCarriesEachMarkerOntoItsPartner) {
  const Image<float> fixed = ct_with_markers(kFixedMarkers);
  const Image<float> moving = ct_with_markers(shifted(kFixedMarkers));
  const FiducialMarkerCheck check =
      check_fiducial_markers(fixed, moving, constant_field(fixed.geometry(), kShift));
  ASSERT_EQ(check.fixed_markers.size(), 3u);
  ASSERT_EQ(check.moving_markers.size(), 3u);
  ASSERT_EQ(check.pairs.size(), 3u);
  EXPECT_EQ(check.unpaired_fixed, 0);
  EXPECT_EQ(check.unpaired_moving, 0);
  for (const MarkerPair& p : check.pairs) {
    EXPECT_NEAR(p.residual_mm, 0.0, 1e-5);
    EXPECT_NEAR(p.initial_mm, kShift.norm(), 1e-9);
    EXPECT_NEAR((p.moving - p.fixed - kShift).norm(), 0.0, 1e-9);
  }
  EXPECT_NEAR(check.max_residual_mm, 0.0, 1e-5);
  EXPECT_EQ(check.off, 0);
}

TEST(FiducialMarkers, NoRegistrationLeavesTheMotionAsTheResidual) {
  const Image<float> fixed = ct_with_markers(kFixedMarkers);
  const Image<float> moving = ct_with_markers(shifted(kFixedMarkers));
  const FiducialMarkerCheck check =
      check_fiducial_markers(fixed, moving, constant_field(fixed.geometry(), {0, 0, 0}));
  ASSERT_EQ(check.pairs.size(), 3u);
  EXPECT_NEAR(check.mean_residual_mm, kShift.norm(), 1e-9);  // 5.39 mm
  EXPECT_EQ(check.off, 3);                                   // each more than 3 mm off
}

TEST(FiducialMarkers, AMarkerMissingFromOneScanFindsNoPartner) {
  const Image<float> fixed = ct_with_markers(kFixedMarkers);
  std::vector<Size3> moving_markers = shifted(kFixedMarkers);
  moving_markers.erase(moving_markers.begin() + 1);
  const FiducialMarkerCheck check = check_fiducial_markers(
      fixed, ct_with_markers(moving_markers), constant_field(fixed.geometry(), kShift));
  EXPECT_EQ(check.pairs.size(), 2u);
  EXPECT_EQ(check.unpaired_fixed, 1);
  EXPECT_EQ(check.unpaired_moving, 0);
  // A field 12 mm off pairs none: no moving marker lies within 10 mm of where it lands.
  const FiducialMarkerCheck far =
      check_fiducial_markers(fixed, ct_with_markers(shifted(kFixedMarkers)),
                             constant_field(fixed.geometry(), kShift + Vec3d{0, 0, 12}));
  EXPECT_TRUE(far.pairs.empty());
  EXPECT_EQ(far.unpaired_fixed, 3);
  EXPECT_EQ(far.unpaired_moving, 3);
}

TEST(FiducialMarkers, TwoMarkersLandingOnOneArePairedOnlyOnce) {
  // Fixed markers 6 mm apart along x; the moving scan has one, 2 mm from the first's landing
  // point and 4 mm from the second's: only the mutual nearest pair counts.
  const Image<float> fixed = ct_with_markers({{10, 20, 10}, {16, 20, 10}});
  const Image<float> moving = ct_with_markers({{12, 20, 10}});
  const FiducialMarkerCheck check =
      check_fiducial_markers(fixed, moving, constant_field(fixed.geometry(), {0, 0, 0}));
  ASSERT_EQ(check.pairs.size(), 1u);
  EXPECT_NEAR(check.pairs[0].residual_mm, 2.0, 1e-9);
  EXPECT_EQ(check.unpaired_fixed, 1);
}

TEST(FiducialMarkers, ScansThatAreNotCtsInHuHoldNone) {
  // The same scans without their air (nothing below -500: an MR, whose values mean nothing in
  // HU): bright spots there are not metal.
  Image<float> fixed = ct_with_markers(kFixedMarkers);
  Image<float> moving = ct_with_markers(shifted(kFixedMarkers));
  for (Image<float>* scan : {&fixed, &moving})
    for (float& v : scan->buffer()) v = std::max(v, 40.0f);
  const FiducialMarkerCheck check =
      check_fiducial_markers(fixed, moving, constant_field(fixed.geometry(), kShift));
  EXPECT_TRUE(check.fixed_markers.empty());
  EXPECT_TRUE(check.moving_markers.empty());
  EXPECT_TRUE(check.pairs.empty());
}

}  // namespace
}  // namespace modir::evaluate
