#include <gtest/gtest.h>

#include "modir/phantom/anatomy.h"
#include "modir/phantom/arms.h"
#include "modir/phantom/scan_pair.h"

namespace modir::phantom {
namespace {

TEST(Arms, DrawsWithinItsDocumentedRanges) {
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    Rng rng(seed);
    const ArmsDesign a = draw_arms(rng);
    EXPECT_GE(a.gap_mm, 0.0);
    EXPECT_LE(a.gap_mm, 40.0);
    EXPECT_GE(a.radius_lr_mm, 32.0);
    EXPECT_LE(a.radius_lr_mm, 48.0);
    EXPECT_GE(a.radius_ap_mm, 26.0);
    EXPECT_LE(a.radius_ap_mm, 38.0);
    EXPECT_GE(a.length_mm, 230.0);
    EXPECT_LE(a.length_mm, 290.0);
    EXPECT_GE(a.bone_radius_mm, 6.0);
    EXPECT_LE(a.bone_radius_mm, 8.5);
  }
}

TEST(Arms, LieBesideTheTrunkClearOfItWithTwoBonesEach) {
  Rng rng(3);
  Anatomy anatomy(rng, Sex::kMale, {});
  ArmsDesign design;
  design.gap_mm = 10.0;
  const auto [body_min, body_max] = anatomy.body_bounds();
  // Nothing beside the trunk before the arms are added.
  const double head_z = 0.0;  // the anatomy's origin is near the femoral heads' level
  const double y = 0.5 * (body_min.y + body_max.y);
  for (double x = body_max.x + 1.0; x < body_max.x + 150.0; x += 2.0)
    ASSERT_EQ(anatomy.sample({x, y, head_z}).label, kBackground) << x;
  anatomy.add_arms(design);
  // Walking out from the midline along x at the heads' level: the trunk, then background at
  // least the design's gap wide, then the forearm: skin, fat, muscle and a bone, all body.
  int trunk_end = -1, arm_start = -1, arm_voxels = 0, bone_like = 0;
  for (int i = 0; i < 800; ++i) {
    const double x = 0.5 * i;
    const TissueSample s = anatomy.sample({x, y, head_z});
    if (s.label != kBackground && trunk_end < 0) continue;  // still in the trunk
    if (trunk_end < 0) trunk_end = i;
    if (s.label == kBackground) continue;
    if (arm_start < 0) arm_start = i;
    EXPECT_EQ(s.label, kBody) << x;
    ++arm_voxels;
  }
  // The bones lie along the forearm's centre line, whose y is the outline's centre (not quite
  // the bounding box's): a sweep across y finds them.
  for (double dy = -20.0; dy <= 20.0; dy += 1.0)
    for (int i = arm_start; i > 0 && i < arm_start + 200; ++i)
      bone_like += anatomy.sample({0.5 * i, y + dy, head_z}).hu > 200.0f;
  ASSERT_GT(arm_start, trunk_end);
  EXPECT_GE(0.5 * (arm_start - trunk_end), design.gap_mm - 1.0);  // clear of the trunk
  EXPECT_GT(arm_voxels, 100);                                     // about 2 x 37 mm at 0.5 mm
  EXPECT_GT(bone_like, 10);                                       // the bones cross the sweep
  // The other side too, and nothing above the elbow.
  int right = 0;
  for (double x = body_min.x - 1.0; x > body_min.x - 200.0; x -= 1.0)
    right += anatomy.sample({x, y, head_z}).label == kBody;
  EXPECT_GT(right, 50);
  EXPECT_EQ(anatomy
                .sample({body_max.x + design.gap_mm + design.radius_lr_mm, y,
                         head_z + design.elbow_above_mm + 20.0})
                .label,
            kBackground);
}

// A cohort lays the arms per scan: they come and go on one patient.
TEST(Arms, CanBeTakenAwayAgain) {
  Rng rng(3);
  Anatomy anatomy(rng, Sex::kFemale, {});
  ArmsDesign design;
  design.gap_mm = 10.0;
  const auto [body_min, body_max] = anatomy.body_bounds();
  const double y = 0.5 * (body_min.y + body_max.y);
  const auto body_beside = [&] {
    int n = 0;
    for (double x = body_max.x + 1.0; x < body_max.x + 200.0; x += 1.0)
      n += anatomy.sample({x, y, 0.0}).label == kBody;
    return n;
  };
  ASSERT_EQ(body_beside(), 0);
  anatomy.add_arms(design);
  EXPECT_GT(body_beside(), 50);
  anatomy.remove_arms();
  EXPECT_EQ(body_beside(), 0);
  design.gap_mm = 30.0;  // another day, another position
  anatomy.add_arms(design);
  EXPECT_GT(body_beside(), 50);
}

TEST(Arms, PairsWithArmsKeepTheirPatientAndAreDeterministic) {
  PhantomOptions o;
  o.seed = 8;
  o.size = PhantomSize::kSmall;
  o.deformation = DeformationLevel::kNone;
  o.couch = true;
  const PhantomPair plain = generate_pair(o);
  o.arms = true;
  const PhantomPair a = generate_pair(o), b = generate_pair(o);
  EXPECT_EQ(a.fixed.image.buffer(), b.fixed.image.buffer());
  EXPECT_EQ(a.meta.dump(), b.meta.dump());
  ASSERT_TRUE(a.meta["arms"].is_object());
  EXPECT_TRUE(plain.meta["arms"].is_null());
  EXPECT_EQ(a.meta["couch"].dump(), plain.meta["couch"].dump());
  // The small field of view (192 mm) ends inside the trunk: the arms do not show.
  EXPECT_EQ(a.fixed.labels.buffer(), plain.fixed.labels.buffer());
}

}  // namespace
}  // namespace modir::phantom
