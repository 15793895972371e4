#include "modir/objective/image_term.h"

#include <gtest/gtest.h>

#include <cmath>

#include "modir/objective/similarity/local_ncc.h"
#include "modir/objective/similarity/ssd.h"
#include "objective/term_gradient_check.h"
#include "support/test_support.h"

namespace modir::objective {
namespace {

Image<float> smooth_image(const Geometry& g, double shift_mm) {
  Image<float> image(g);
  for (std::int64_t z = 0; z < g.size[2]; ++z)
    for (std::int64_t y = 0; y < g.size[1]; ++y)
      for (std::int64_t x = 0; x < g.size[0]; ++x) {
        const Vec3d w = g.index_to_world({double(x), double(y), double(z)});
        image(x, y, z) = float(100 * std::sin(0.15 * (w.x - shift_mm)) * std::cos(0.1 * w.y) +
                               30 * std::sin(0.2 * w.z));
      }
  return image;
}

// The moving image covers more than the fixed one, so no voxel leaves it under the test fields.
Geometry larger(const Geometry& g) {
  Geometry m = g;
  m.origin = g.index_to_world({-4, -4, -4});
  m.size = {g.size[0] + 8, g.size[1] + 8, g.size[2] + 8};
  return m;
}

TEST(ImageTerm, SsdGradientWithRespectToTheFieldMatchesFiniteDifferences) {
  const Geometry g = test::oblique_geometry({20, 18, 14});
  ImageTerm term({smooth_image(g, 0)}, {smooth_image(larger(g), 2)},
                 std::make_unique<SumOfSquaredDifferences>());
  test::expect_gradient_matches(term, test::smooth_field(g, 1.5, 3), 1e-3, 1e-2);
}

TEST(ImageTerm, LocalNccGradientWithRespectToTheFieldMatchesFiniteDifferences) {
  const Geometry g = test::oblique_geometry({20, 18, 14});
  ImageTerm term({smooth_image(g, 0)}, {smooth_image(larger(g), 2)},
                 std::make_unique<LocalNcc>(WindowSum::Kind::kBox, 3.0));
  test::expect_gradient_matches(term, test::smooth_field(g, 1.5, 4), 1e-2, 1e-2);
}

// The moving scan on the fixed grid itself: under the test fields, samples near the border leave
// it. Their weights fall continuously to zero over the edge's half voxel, so the term has no jumps
// and its gradient (which includes how those weights move) still matches finite differences.
TEST(ImageTerm, GradientMatchesFiniteDifferencesWhereSamplesLeaveTheMovingScan) {
  const Geometry g = test::oblique_geometry({20, 18, 14});
  for (const bool lncc : {false, true}) {
    std::unique_ptr<Similarity> similarity;
    if (lncc) {
      similarity = std::make_unique<LocalNcc>(WindowSum::Kind::kBox, 3.0);
    } else {
      similarity = std::make_unique<SumOfSquaredDifferences>();
    }
    ImageTerm term({smooth_image(g, 0)}, {smooth_image(g, 2)}, std::move(similarity));
    const DisplacementField u = test::smooth_field(g, 2.5, 5);
    DisplacementField gradient(g, Vec3f{0, 0, 0});
    term.evaluate(u, &gradient, 1.0);
    test::expect_gradient_matches(term, u, 1e-3, 2e-2);
  }
}

// Where a layer of samples crosses the moving scan's edge (a shift of half a voxel, then one and a
// half), the energy is continuous: a step of 1e-4 voxel across it changes the value by about that
// much. An all-or-nothing overlap mask jumps there by the layer's share (about 0.25 here).
TEST(ImageTerm, NoJumpsWhereSamplesCrossTheMovingScansEdge) {
  Geometry g;
  g.size = {40, 30, 20};
  // The fixed scan's last layers match nothing, so whether they count matters to the value.
  Image<float> fixed = smooth_image(g, 0);
  for (std::int64_t k = 0; k < g.size[2]; ++k)
    for (std::int64_t j = 0; j < g.size[1]; ++j)
      for (std::int64_t i = 37; i < g.size[0]; ++i) fixed(i, j, k) += 300.0f;
  ImageTerm term({fixed}, {smooth_image(g, 3)}, std::make_unique<SumOfSquaredDifferences>());
  const auto at = [&](double shift) {
    return term.evaluate(DisplacementField(g, Vec3f{float(shift), 0, 0}), nullptr, 1.0);
  };
  for (const double edge : {0.5, 1.5}) {
    const double below = at(edge - 1e-4), above = at(edge + 1e-4);
    EXPECT_LT(std::abs(above - below), 1e-2) << "shift " << edge << ": " << below << " -> "
                                             << above;
  }
  EXPECT_GT(std::abs(at(1.0) - at(0.0)), 0.05);  // the layers' leaving does change the value
}

TEST(ImageTerm, TheRightShiftMinimisesTheTerm) {
  Geometry g;
  g.size = {40, 30, 20};
  ImageTerm term({smooth_image(g, 0)}, {smooth_image(g, 3)},
                 std::make_unique<SumOfSquaredDifferences>());
  // moving(x + 3) = fixed(x): the field u = (3, 0, 0) aligns them.
  const double at_truth = term.evaluate(DisplacementField(g, Vec3f{3, 0, 0}), nullptr, 1.0);
  EXPECT_LT(at_truth, 0.01);
  EXPECT_GT(term.evaluate(DisplacementField(g), nullptr, 1.0), at_truth + 0.1);
}

}  // namespace
}  // namespace modir::objective
