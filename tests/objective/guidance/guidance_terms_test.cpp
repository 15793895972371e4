#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>

#include "modir/filter/distance_transform.h"
#include "modir/objective/guidance/label_distance_term.h"
#include "modir/objective/guidance/landmark_term.h"
#include "objective/term_gradient_check.h"
#include "support/test_support.h"

namespace modir::objective {
namespace {

LabelMap ball(const Geometry& g, const Vec3d& centre, double radius, std::uint16_t label) {
  LabelMap labels(g, 0);
  for (std::int64_t z = 0; z < g.size[2]; ++z)
    for (std::int64_t y = 0; y < g.size[1]; ++y)
      for (std::int64_t x = 0; x < g.size[0]; ++x)
        if ((g.index_to_world({double(x), double(y), double(z)}) - centre).norm() < radius)
          labels(x, y, z) = label;
  return labels;
}

std::shared_ptr<std::vector<OrganDistanceMaps>> two_balls(const Geometry& g, const Vec3d& shift) {
  const Vec3d centre = g.index_to_world({g.size[0] / 2.0, g.size[1] / 2.0, g.size[2] / 2.0});
  auto organs = std::make_shared<std::vector<OrganDistanceMaps>>();
  OrganDistanceMaps organ;
  organ.label = 3;
  organ.fixed = filter::signed_distance(ball(g, centre, 8.0, 3), 3);
  organ.moving = filter::signed_distance(ball(g, centre + shift, 10.0, 3), 3);
  organs->push_back(std::move(organ));
  return organs;
}

TEST(LabelDistanceTerm, GradientMatchesFiniteDifferences) {
  // 35 x 39 x 38 mm: the band stays inside the moving map, where the term reads it.
  const Geometry g = test::oblique_geometry({44, 30, 14});
  LabelDistanceTerm term(two_balls(g, {3, -2, 1}), g, 6.0);
  test::expect_gradient_matches(term, test::smooth_field(g, 2.0, 1), 2e-4, 1e-2);
}

TEST(LabelDistanceTerm, IsSmallWhenTheFieldMapsTheOrganOntoItself) {
  const Geometry g = test::oblique_geometry({24, 22, 18});
  const auto organs = std::make_shared<std::vector<OrganDistanceMaps>>();
  const Vec3d centre = g.index_to_world({12, 11, 9});
  OrganDistanceMaps organ;
  organ.label = 1;
  organ.fixed = filter::signed_distance(ball(g, centre, 8.0, 1), 1);
  organ.moving = filter::signed_distance(ball(g, centre + Vec3d{4, 0, 0}, 8.0, 1), 1);
  organs->push_back(std::move(organ));
  LabelDistanceTerm term(organs, g, 6.0);
  DisplacementField identity(g), shift(g, Vec3f{4, 0, 0});
  const double wrong = term.evaluate(identity, nullptr, 1.0);
  const double right = term.evaluate(shift, nullptr, 1.0);

  EXPECT_GT(wrong, 4.0);
  EXPECT_LT(right, 0.5);
  EXPECT_LT(term.organ_rms_mm()[0], 0.7);
}

// A bone running out of a short moving scan: the moving label map closes the bone where the scan
// ends. The term must not read that cut as the bone's end and pull the fixed bone, which goes on,
// onto it; nor read the moving map beyond the scan.
TEST(LabelDistanceTerm, AMovingScanCuttingAnOrganOffDoesNotPull) {
  Geometry fixed_grid;
  fixed_grid.size = {20, 20, 40};
  fixed_grid.spacing = {2, 2, 2};
  Geometry moving_grid = fixed_grid;
  moving_grid.size[2] = 22;  // ends at z = 43 mm; the bar goes on to z = 59 mm
  const auto bar = [](const Geometry& g) {
    LabelMap labels(g, 0);
    for (std::int64_t z = 5; z < std::min<std::int64_t>(30, g.size[2]); ++z)
      for (std::int64_t y = 7; y < 13; ++y)
        for (std::int64_t x = 7; x < 13; ++x) labels(x, y, z) = 2;
    return labels;
  };
  auto organs = std::make_shared<std::vector<OrganDistanceMaps>>();
  OrganDistanceMaps organ;
  organ.label = 2;
  organ.fixed = filter::signed_distance(bar(fixed_grid), 2);
  organ.moving = filter::signed_distance(bar(moving_grid), 2);
  ASSERT_EQ(filter::distance_to_cut(bar(fixed_grid), 2).voxel_count(), 0);  // all of the bar
  organ.moving_cut = filter::distance_to_cut(bar(moving_grid), 2);
  ASSERT_GT(organ.moving_cut.voxel_count(), 0);
  organs->push_back(std::move(organ));
  for (const LabelLoss loss : {LabelLoss::kSquared, LabelLoss::kTukey}) {
    LabelDistanceTerm term(organs, fixed_grid, 8.0, 0.0, loss);
    DisplacementField identity(fixed_grid), gradient(fixed_grid);
    // The identity is the truth: nothing to pull, although the moving map ends the bar at z = 43.
    EXPECT_LT(term.evaluate(identity, &gradient, 1.0), 1e-9);
    double largest = 0.0;
    for (const Vec3f& v : gradient.buffer()) largest = std::max(largest, double(v.norm()));
    EXPECT_LT(largest, 1e-9);
    // The bar's part beyond the moving scan and next to its end is left out, not all of it.
    ASSERT_EQ(term.left_out_fraction().size(), 1u);
    EXPECT_GT(term.left_out_fraction()[0], 0.2);
    EXPECT_LT(term.left_out_fraction()[0], 0.7);
  }
  // The other way round: the fixed scan is the short one. Its map's values near the cut are
  // marked and stay out of the band.
  auto short_fixed = std::make_shared<std::vector<OrganDistanceMaps>>();
  OrganDistanceMaps reversed;
  reversed.label = 2;
  reversed.fixed = filter::signed_distance(bar(moving_grid), 2);
  mark_cut_off(reversed.fixed, filter::distance_to_cut(bar(moving_grid), 2));
  reversed.moving = filter::signed_distance(bar(fixed_grid), 2);
  short_fixed->push_back(std::move(reversed));
  LabelDistanceTerm short_term(short_fixed, moving_grid, 8.0);
  DisplacementField identity(moving_grid), gradient(moving_grid);
  EXPECT_LT(short_term.evaluate(identity, &gradient, 1.0), 1e-9);
  EXPECT_GT(short_term.evaluate(DisplacementField(moving_grid, Vec3f{3, 0, 0}), nullptr, 1.0), 1.0);
  // Where the moving scan holds the whole bar, nothing is left out and a shift still pulls back.
  auto whole = std::make_shared<std::vector<OrganDistanceMaps>>();
  OrganDistanceMaps full;
  full.label = 2;
  full.fixed = filter::signed_distance(bar(fixed_grid), 2);
  full.moving = full.fixed;
  whole->push_back(std::move(full));
  LabelDistanceTerm term(whole, fixed_grid, 8.0);
  EXPECT_GT(term.evaluate(DisplacementField(fixed_grid, Vec3f{0, 0, 4}), nullptr, 1.0), 1.0);
  EXPECT_EQ(term.left_out_fraction()[0], 0.0);
}

TEST(LabelDistanceTerm, TukeyGradientMatchesFiniteDifferences) {
  const Geometry g = test::oblique_geometry({24, 22, 18});
  LabelDistanceTerm term(two_balls(g, {3, -2, 1}), g, 6.0, 0.0, LabelLoss::kTukey);
  // The first evaluation fixes c from the residuals at the identity; the check then runs where
  // some residuals lie beyond c (zero slope) and most inside.
  term.evaluate(DisplacementField(g), nullptr, 1.0);
  ASSERT_EQ(term.tukey_scale_mm().size(), 1u);
  EXPECT_GE(term.tukey_scale_mm()[0], 5.0);
  test::expect_gradient_matches(term, test::smooth_field(g, 4.0, 1), 2e-4, 1e-2);
}

// A fixed organ with a stray island 55 mm away that the moving scan lacks (a quarter of the
// band); the moving organ is the fixed one moved by 3 mm along y. Returns the x of the translation
// (x, 3, 0) with the lowest energy.
double best_translation_x(LabelLoss loss) {
  Geometry g;
  g.size = {64, 24, 24};
  g.spacing = {1.5, 1.5, 1.5};
  const Vec3d centre = g.index_to_world({31.5, 11.5, 11.5});
  const Vec3d organ_centre = centre - Vec3d{25, 0, 0};
  LabelMap fixed = ball(g, organ_centre, 7.0, 2);
  const LabelMap island = ball(g, centre + Vec3d{30, 0, 0}, 2.5, 2);
  for (std::int64_t v = 0; v < g.voxel_count(); ++v)
    if (island.data()[v]) fixed.data()[v] = 2;
  auto organs = std::make_shared<std::vector<OrganDistanceMaps>>();
  OrganDistanceMaps organ;
  organ.label = 2;
  organ.fixed = filter::signed_distance(fixed, 2);
  organ.moving = filter::signed_distance(ball(g, organ_centre + Vec3d{0, 3, 0}, 7.0, 2), 2);
  organs->push_back(std::move(organ));
  LabelDistanceTerm term(organs, g, 8.0, 0.0, loss);
  term.evaluate(DisplacementField(g), nullptr, 1.0);  // Tukey's c from the unregistered start
  double best_x = 0.0, lowest = std::numeric_limits<double>::infinity();
  for (double x = -8.0; x <= 8.0; x += 0.5) {
    const double e = term.evaluate(DisplacementField(g, Vec3f{float(x), 3.0f, 0.0f}), nullptr, 1.0);
    if (e < lowest) {
      lowest = e;
      best_x = x;
    }
  }
  return best_x;
}

TEST(LabelDistanceTerm, TukeyIsNotDraggedByAnIslandWithoutCounterpart) {
  EXPECT_LE(std::abs(best_translation_x(LabelLoss::kTukey)), 0.5);
  // Squares are: the island's residuals of 30-50 mm outweigh the organ's own.
  EXPECT_GE(std::abs(best_translation_x(LabelLoss::kSquared)), 2.0);
}

TEST(LandmarkTerm, ExactForATranslationAndGradientMatches) {
  const Geometry g = test::oblique_geometry({20, 18, 16});
  const std::vector<Vec3d> fixed{g.index_to_world({3.2, 4.7, 5.1}), g.index_to_world({10, 9, 8}),
                                 g.index_to_world({15.5, 2.25, 12.75})};
  std::vector<Vec3d> moving;
  for (const Vec3d& p : fixed) moving.push_back(p + Vec3d{1.5, -2.0, 0.5});
  LandmarkTerm term(fixed, moving, g);
  EXPECT_NEAR(term.evaluate(DisplacementField(g, Vec3f{1.5f, -2.0f, 0.5f}), nullptr, 1.0), 0.0,
              1e-10);
  EXPECT_NEAR(term.evaluate(DisplacementField(g), nullptr, 1.0), 1.5 * 1.5 + 4 + 0.25, 1e-9);
  test::expect_gradient_matches(term, test::smooth_field(g, 2.0, 2), 1e-3, 1e-3);
}

TEST(LandmarkTerm, WeightsMakeAWeightedMeanAndTheGradientFollows) {
  const Geometry g = test::oblique_geometry({20, 18, 16});
  const std::vector<Vec3d> fixed{g.index_to_world({3.2, 4.7, 5.1}), g.index_to_world({10, 9, 8}),
                                 g.index_to_world({15.5, 2.25, 12.75})};
  // Residuals at u = 0: 1, 2 and 4 mm; weights 3, 1 and 0 (the last pair does not count).
  const std::vector<Vec3d> moving{fixed[0] + Vec3d{1, 0, 0}, fixed[1] + Vec3d{0, 2, 0},
                                  fixed[2] + Vec3d{0, 0, 4}};
  LandmarkTerm term(fixed, moving, g, {3.0, 1.0, 0.0});
  EXPECT_NEAR(term.evaluate(DisplacementField(g), nullptr, 1.0), (3.0 * 1 + 1.0 * 4) / 4.0, 1e-9);
  test::expect_gradient_matches(term, test::smooth_field(g, 2.0, 3), 1e-3, 1e-3);
  // Equal weights are the plain mean.
  LandmarkTerm equal(fixed, moving, g, {2.0, 2.0, 2.0});
  LandmarkTerm plain(fixed, moving, g);
  EXPECT_NEAR(equal.evaluate(DisplacementField(g), nullptr, 1.0),
              plain.evaluate(DisplacementField(g), nullptr, 1.0), 1e-9);
  // Bad weights are refused.
  for (const std::vector<double>& bad :
       {std::vector<double>{1.0, -1.0, 1.0}, std::vector<double>{0.0, 0.0, 0.0},
        std::vector<double>{1.0, 1.0}}) {
    const Error e = test::error_of([&] { LandmarkTerm(fixed, moving, g, bad); });
    EXPECT_NE(std::string(e.what()).find("weight"), std::string::npos);
  }
}

TEST(LandmarkTerm, PointOutsideTheGridIsAnError) {
  const Geometry g = test::oblique_geometry({8, 8, 8});
  const Error e = test::error_of([&] {
    LandmarkTerm({g.index_to_world({20, 0, 0})}, {Vec3d{}}, g);
  });
  EXPECT_NE(std::string(e.what()).find("outside"), std::string::npos);
}

}  // namespace
}  // namespace modir::objective
