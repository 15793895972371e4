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

// The moving image covers more than the fixed one, so no voxel leaves it under the test fields
// (voxels that do are dropped, which finite differences would see as a jump).
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
