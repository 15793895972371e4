#include <gtest/gtest.h>

#include <cmath>

#include "modir/core/parallel.h"
#include "modir/phantom/anatomy.h"
#include "modir/phantom/hip_prosthesis.h"
#include "modir/phantom/metal_artefacts.h"
#include "modir/phantom/scan_pair.h"

namespace modir::phantom {
namespace {

// One axial slab of water (0 HU) 300 mm across on a 1 mm grid, with two metal discs of radius
// 14 mm at x = +-90 mm, as two femoral heads of a bilateral hip replacement lie.
Image<float> water_with_two_heads(std::int64_t slices = 1) {
  Geometry g;
  g.size = {320, 320, slices};
  g.spacing = {1.0, 1.0, 3.0};
  g.origin = {-159.5, -159.5, 0.0};
  Image<float> hu(g, -1000.0f);
  for (std::int64_t k = 0; k < slices; ++k)
    for (std::int64_t j = 0; j < 320; ++j)
      for (std::int64_t i = 0; i < 320; ++i) {
        const Vec3d p = g.index_to_world({double(i), double(j), double(k)});
        if (std::hypot(p.x, p.y) < 150.0) hu(i, j, k) = 0.0f;
        if (std::hypot(std::abs(p.x) - 90.0, p.y) < 14.0) hu(i, j, k) = 14000.0f;
      }
  return hu;
}

// Mean and standard deviation of the water in a box of world x, y (mm).
std::pair<double, double> box_stats(const Image<float>& hu, double x0, double x1, double y0,
                                    double y1) {
  double sum = 0, sum2 = 0;
  int n = 0;
  const Geometry& g = hu.geometry();
  for (std::int64_t j = 0; j < g.size[1]; ++j)
    for (std::int64_t i = 0; i < g.size[0]; ++i) {
      const Vec3d p = g.index_to_world({double(i), double(j), 0.0});
      if (p.x < x0 || p.x > x1 || p.y < y0 || p.y > y1) continue;
      sum += hu(i, j, 0);
      sum2 += double(hu(i, j, 0)) * hu(i, j, 0);
      ++n;
    }
  const double mean = sum / n;
  return {mean, std::sqrt(std::max(0.0, sum2 / n - mean * mean))};
}

TEST(MetalArtefacts, BeamHardeningDarkensTheBandBetweenTwoHeads) {
  HipProsthesis design;
  design.beam_hardening = 0.4;
  design.starvation_cap = 0.0;  // no photon starvation: the hardening alone, noise-free
  Image<float> hu = water_with_two_heads();
  add_metal_artefacts(hu, design, 15.0, 7);
  // Between the heads, on the line joining them: dark, as in scans of bilateral replacements.
  const auto [between, between_sd] = box_stats(hu, -50, 50, -5, 5);
  EXPECT_LT(between, -100.0);
  // Well away from both heads and their joining rays (in front of the pelvis): far less.
  const auto [front, front_sd] = box_stats(hu, -20, 20, -120, -100);
  EXPECT_GT(front, -40.0);
  EXPECT_LT(std::abs(front), std::abs(between) / 3.0);
  (void)between_sd;
  (void)front_sd;
}

TEST(MetalArtefacts, PhotonStarvationAddsNoiseStreaksAroundTheMetal) {
  HipProsthesis design;
  design.beam_hardening = 0.0;  // starvation alone
  design.starvation_cap = 7.0;
  Image<float> hu = water_with_two_heads();
  add_metal_artefacts(hu, design, 15.0, 7);
  // Each noisy ray through the metal streaks across the whole slice; a point sees the metal
  // under a wider angle, and so more streaks, the closer it is.
  const auto [mean_near, sd_near] = box_stats(hu, 115, 125, -5, 5);    // 25-35 mm from a head
  const auto [mean_far, sd_far] = box_stats(hu, -10, 10, -135, -125);  // 150 mm from both
  EXPECT_GT(sd_near, 50.0);
  EXPECT_GT(sd_far, 5.0);
  EXPECT_GT(sd_near, 1.5 * sd_far) << sd_near << " against " << sd_far;
  EXPECT_LT(std::abs(mean_near), sd_near);  // noise: no offset of its own
  EXPECT_LT(std::abs(mean_far), sd_far);
}

TEST(MetalArtefacts, NoMetalNoChangeAndTheSameStreaksForAnyThreadCount) {
  HipProsthesis design;
  Image<float> water = water_with_two_heads();
  for (float& v : water.buffer())
    if (v >= kMetalThresholdHu) v = 0.0f;
  Image<float> untouched = water;
  add_metal_artefacts(untouched, design, 15.0, 3);
  EXPECT_EQ(untouched.buffer(), water.buffer());

  Image<float> one = water_with_two_heads(3), two = one;
  set_thread_count(1);
  add_metal_artefacts(one, design, 15.0, 3);
  set_thread_count(2);
  add_metal_artefacts(two, design, 15.0, 3);
  set_thread_count(0);
  EXPECT_EQ(one.buffer(), two.buffer());
  // Each slice has its own noise.
  EXPECT_NE(one(100, 160, 0), one(100, 160, 1));
}

TEST(HipProsthesis, DrawsWithinItsDocumentedRanges) {
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    Rng rng(seed);
    const HipProsthesis h = draw_hip_prosthesis(rng);
    EXPECT_TRUE(h.sides[0] || h.sides[1]);
    EXPECT_GE(h.ball_radius_mm, 11.0);
    EXPECT_LE(h.ball_radius_mm, 18.0);
    EXPECT_GE(h.shell_mm, 3.0);
    EXPECT_LE(h.shell_mm, 5.0);
    EXPECT_GE(h.stem_length_mm, 110.0);
    EXPECT_LE(h.stem_length_mm, 170.0);
    EXPECT_TRUE(h.cement_mm == 0.0 || (h.cement_mm >= 2.0 && h.cement_mm <= 4.0));
    EXPECT_GE(h.ball_hu, 12000.0);
    EXPECT_GE(h.stem_hu, 5000.0);
    EXPECT_GE(h.beam_hardening, 0.2);
    EXPECT_LE(h.beam_hardening, 0.6);
    EXPECT_GE(h.starvation_cap, 5.0);
    EXPECT_LE(h.starvation_cap, 8.0);
  }
}

TEST(HipProsthesis, ReplacesTheNaturalHeadAndNeckOfItsSideOnly) {
  Rng rng(4);
  Anatomy anatomy(rng, Sex::kMale, {});
  const std::vector<std::pair<std::string, Vec3d>> points = anatomy.distinctive_points();
  auto point = [&](const std::string& name) {
    for (const auto& [n, p] : points)
      if (n == name) return p;
    ADD_FAILURE() << name;
    return Vec3d{};
  };
  const Vec3d left_head = point("femoral_head_centre_left");
  const Vec3d right_head = point("femoral_head_centre_right");
  const Vec3d left_neck = point("femoral_neck_left");
  const TissueSample natural = anatomy.sample(left_head);
  EXPECT_EQ(natural.label, kFemoralHeads);
  EXPECT_LT(natural.hu, 1500.0f);

  HipProsthesis design;
  design.sides = {false, true};
  anatomy.add_hip_prostheses(design);
  ASSERT_NE(anatomy.hip_prostheses(), nullptr);
  const PlacedProsthesis& placed = anatomy.hip_prostheses()->placed().at(0);
  const TissueSample ball = anatomy.sample(left_head);
  EXPECT_EQ(ball.label, kFemoralHeads);
  EXPECT_FLOAT_EQ(ball.hu, float(design.ball_hu));
  // The stem runs down the femoral canal, below the head by its length.
  EXPECT_NEAR(placed.head.z - placed.stem.back().z, design.stem_length_mm, 12.0);
  const TissueSample stem = anatomy.sample(placed.stem[placed.stem.size() / 2]);
  EXPECT_EQ(stem.label, kBone);
  EXPECT_FLOAT_EQ(stem.hu, float(design.stem_hu));
  // The natural neck beside the prosthetic one is gone: soft tissue, not bone.
  const Vec3d beside = left_neck + Vec3d{0.0, 0.0, design.neck_radius_mm + 5.0};
  const TissueSample cut = anatomy.sample(beside);
  EXPECT_NE(cut.label, kFemoralHeads);
  EXPECT_NE(cut.label, kBone);
  // The right hip is the patient's own.
  EXPECT_LT(anatomy.sample(right_head).hu, 1500.0f);
}

TEST(HipProsthesis, PairsWithMetalKeepTheirCouchAndAreDeterministic) {
  PhantomOptions o;
  o.seed = 12;
  o.size = PhantomSize::kSmall;
  o.deformation = DeformationLevel::kModerate;
  o.couch = true;
  const PhantomPair plain = generate_pair(o);
  o.metal = true;
  const PhantomPair a = generate_pair(o), b = generate_pair(o);
  EXPECT_EQ(a.fixed.image.buffer(), b.fixed.image.buffer());
  EXPECT_EQ(a.moving.image.buffer(), b.moving.image.buffer());
  EXPECT_EQ(a.meta.dump(), b.meta.dump());
  EXPECT_TRUE(plain.meta["metal"].is_null());
  ASSERT_TRUE(a.meta["metal"].is_object());
  EXPECT_EQ(a.meta["couch"].dump(), plain.meta["couch"].dump());
  EXPECT_EQ(a.meta["rigid"].dump(), plain.meta["rigid"].dump());
  // The metal shows, clipped to the scanner's 3071 HU, inside the labelled hips.
  std::int64_t metal = 0, metal_outside_hips = 0;
  for (std::size_t v = 0; v < a.fixed.image.buffer().size(); ++v) {
    if (a.fixed.image.buffer()[v] < 3071) continue;
    ++metal;
    const std::uint16_t label = a.fixed.labels.buffer()[v];
    if (label != kFemoralHeads && label != kBone) ++metal_outside_hips;
  }
  EXPECT_GT(metal, 100);
  EXPECT_LT(metal_outside_hips, metal / 20);  // streak peaks outside the metal are rare
}

}  // namespace
}  // namespace modir::phantom
