#include <gtest/gtest.h>

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
  const Geometry g = test::oblique_geometry({24, 22, 18});
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

TEST(LandmarkTerm, PointOutsideTheGridIsAnError) {
  const Geometry g = test::oblique_geometry({8, 8, 8});
  const Error e = test::error_of([&] {
    LandmarkTerm({g.index_to_world({20, 0, 0})}, {Vec3d{}}, g);
  });
  EXPECT_NE(std::string(e.what()).find("outside"), std::string::npos);
}

}  // namespace
}  // namespace modir::objective
