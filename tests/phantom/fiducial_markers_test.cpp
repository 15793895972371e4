#include "modir/phantom/fiducial_markers.h"

#include <gtest/gtest.h>

#include "modir/phantom/anatomy.h"
#include "modir/phantom/scan_pair.h"

namespace modir::phantom {
namespace {

TEST(FiducialMarkers, DrawWithinTheirDocumentedRanges) {
  int fours = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    Rng rng(seed);
    const FiducialDesign d = draw_fiducials(rng);
    EXPECT_TRUE(d.count == 3 || d.count == 4);
    fours += d.count == 4;
    EXPECT_GE(d.length_mm, 3.0);
    EXPECT_LE(d.length_mm, 5.0);
    EXPECT_GE(d.peak_hu, 150000.0);
    EXPECT_LE(d.peak_hu, 300000.0);
    EXPECT_GE(d.streaks.beam_hardening, 0.2);
    EXPECT_LE(d.streaks.beam_hardening, 0.6);
    EXPECT_GE(d.streaks.starvation_cap, 5.0);
    EXPECT_LE(d.streaks.starvation_cap, 8.0);
  }
  EXPECT_GT(fours, 10);  // about one in five
  EXPECT_LT(fours, 80);
}

// Each seed lies whole in the prostate, 10 mm or more from the others; at its axis it is metal,
// 2 mm off it the prostate's own tissue.
TEST(FiducialMarkers, LieWholeInTheProstateApartFromEachOther) {
  Rng rng(3);
  Anatomy anatomy(rng, Sex::kMale, {});
  Rng plain_rng(3);
  const Anatomy plain(plain_rng, Sex::kMale, {});
  FiducialDesign design;
  design.count = 4;
  design.placement_seed = 5;
  ASSERT_EQ(anatomy.add_fiducials(design), 4u);
  const std::vector<FiducialSeed>& seeds = anatomy.fiducials()->seeds();
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    const Vec3d centre = (seeds[i].a + seeds[i].b) * 0.5;
    EXPECT_NEAR((seeds[i].b - seeds[i].a).norm(), design.length_mm, 1e-9);
    const TissueSample at = anatomy.sample(centre);
    EXPECT_EQ(at.label, kUterusProstate);
    EXPECT_NEAR(at.hu, design.peak_hu, 1.0);
    EXPECT_GE(anatomy.sample(seeds[i].a).hu, kMetalThresholdHu);
    for (const Vec3d& p : {seeds[i].a, seeds[i].b, centre})
      EXPECT_EQ(plain.sample(p).label, kUterusProstate) << i;
    // Off the axis (which runs within 30 degrees of z... mostly): 2 mm sideways in x and y.
    const Vec3d axis = (seeds[i].b - seeds[i].a) / design.length_mm;
    Vec3d side = Vec3d{1, 0, 0} - axis * axis.x;
    side = side / side.norm();
    EXPECT_EQ(anatomy.sample(centre + side * 2.0).hu, plain.sample(centre + side * 2.0).hu) << i;
    for (std::size_t j = i + 1; j < seeds.size(); ++j)
      EXPECT_GE(((seeds[j].a + seeds[j].b) * 0.5 - centre).norm(), 10.0);
  }
}

TEST(FiducialMarkers, AWomanGetsNone) {
  Rng rng(4);
  Anatomy anatomy(rng, Sex::kFemale, {});
  EXPECT_EQ(anatomy.add_fiducials(FiducialDesign{}), 0u);
  EXPECT_TRUE(anatomy.fiducials()->seeds().empty());
}

// A pair with them: the same patient, labels and field; the same seed gives the same bytes.
TEST(FiducialMarkers, PairsKeepTheirPatientAndAreDeterministic) {
  PhantomOptions o;
  o.seed = 4;  // a man
  o.size = PhantomSize::kSmall;
  o.deformation = DeformationLevel::kModerate;
  const PhantomPair plain = generate_pair(o);
  o.markers = true;
  const PhantomPair a = generate_pair(o), b = generate_pair(o);
  EXPECT_EQ(a.fixed.image.buffer(), b.fixed.image.buffer());
  EXPECT_EQ(a.moving.image.buffer(), b.moving.image.buffer());
  EXPECT_EQ(a.meta.dump(), b.meta.dump());
  EXPECT_TRUE(plain.meta["markers"].is_null());
  EXPECT_GE(a.meta["markers"]["placed"].size(), 3u) << a.meta["markers"].dump();
  EXPECT_EQ(a.meta["displacement"].dump(), plain.meta["displacement"].dump());
  EXPECT_EQ(a.fixed.labels.buffer(), plain.fixed.labels.buffer());
}

// At the medium size's 1 mm: metal clipped at 3071 HU in the prostate of both scans, and
// everything the seeds change (their profile, their streaks) in the slices that hold prostate.
TEST(FiducialMarkers, ShowAsClippedMetalAndStreakOnlyAroundTheProstate) {
  PhantomOptions o;
  o.seed = 4;
  o.size = PhantomSize::kMedium;
  o.deformation = DeformationLevel::kNone;
  const PhantomPair plain = generate_pair(o);
  o.markers = true;
  const PhantomPair a = generate_pair(o);
  for (const auto* scan : {&a.fixed, &a.moving}) {
    const auto& with = scan->image;
    const auto& without = (scan == &a.fixed ? plain.fixed : plain.moving).image;
    const Size3 n = with.size();
    std::int64_t clipped = 0, clipped_in_prostate = 0, changed_slices = 0;
    for (std::int64_t z = 0; z < n[2]; ++z) {
      bool changed = false, prostate = false;
      for (std::int64_t y = 0; y < n[1]; ++y)
        for (std::int64_t x = 0; x < n[0]; ++x) {
          changed = changed || with(x, y, z) != without(x, y, z);
          prostate = prostate || scan->labels(x, y, z) == kUterusProstate;
          if (with(x, y, z) < 3071) continue;
          ++clipped;
          clipped_in_prostate += scan->labels(x, y, z) == kUterusProstate;
        }
      changed_slices += changed;
      if (changed) {
        EXPECT_TRUE(prostate) << z;
      }
    }
    EXPECT_GT(clipped, 0);
    EXPECT_EQ(clipped_in_prostate, clipped);
    EXPECT_GT(changed_slices, 0);
  }
}

}  // namespace
}  // namespace modir::phantom
