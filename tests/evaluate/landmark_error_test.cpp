#include "modir/evaluate/landmark_error.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace modir::evaluate {
namespace {

const Vec3d kShift{1.0, -2.0, 0.5};

DisplacementField translation_field() {
  return DisplacementField(test::oblique_geometry({10, 10, 10}), kShift.cast<float>());
}

Vec3d inside_point(const Geometry& g, double i, double j, double k) {
  return g.index_to_world({i, j, k});
}

// A translation field sends every fixed landmark to fixed + shift; the moving landmarks are put at
// known offsets from there, listed in another order than the fixed ones.
TEST(TargetRegistrationError, TranslationFieldWithKnownOffsets) {
  const DisplacementField field = translation_field();
  const Geometry& g = field.geometry();
  PointSet fixed, moving;
  const Vec3d a = inside_point(g, 2, 3, 4), b = inside_point(g, 5.5, 1, 7),
              c = inside_point(g, 8, 8, 1.25), d = inside_point(g, 4, 6, 6);
  fixed.points = {{"a", a}, {"b", b}, {"c", c}, {"d", d}};
  moving.points = {{"d", d + kShift + Vec3d{0, 0, 2}},
                   {"c", c + kShift + Vec3d{0, -1, 0}},
                   {"b", b + kShift + Vec3d{3, 4, 0}},
                   {"a", a + kShift}};
  const TargetRegistrationError tre = target_registration_error(field, fixed, moving);
  ASSERT_EQ(tre.points.size(), 4u);
  EXPECT_EQ(tre.points[1].id, "b");
  EXPECT_NEAR(tre.points[0].error_mm, 0.0, 1e-5);
  EXPECT_NEAR(tre.points[1].error_mm, 5.0, 1e-5);
  EXPECT_NEAR(tre.points[1].mapped.x, b.x + kShift.x, 1e-5);
  EXPECT_NEAR(tre.points[0].initial_mm, kShift.norm(), 1e-9);
  // Errors 0, 5, 1, 2: by hand, and numpy.percentile for the 95th (rank 2.85 between 2 and 5).
  EXPECT_NEAR(tre.mean_mm, 2.0, 1e-5);
  EXPECT_NEAR(tre.median_mm, 1.5, 1e-5);
  EXPECT_NEAR(tre.p95_mm, 4.55, 1e-5);
  EXPECT_NEAR(tre.max_mm, 5.0, 1e-5);
  EXPECT_EQ(tre.outside_field, 0);
}

TEST(TargetRegistrationError, LandmarkOutsideTheFieldIsCounted) {
  const DisplacementField field = translation_field();
  const Vec3d far = inside_point(field.geometry(), -4, 5, 5);
  PointSet fixed, moving;
  fixed.points = {{"x", far}};
  moving.points = {{"x", far + kShift}};
  const TargetRegistrationError tre = target_registration_error(field, fixed, moving);
  EXPECT_EQ(tre.outside_field, 1);
  EXPECT_FALSE(tre.points[0].inside_field);
  EXPECT_NEAR(tre.max_mm, 0.0, 1e-5);  // a constant field's edge value is the field
}

TEST(TargetRegistrationError, UnpairedIdsAndEmptySetsAreDataErrors) {
  const DisplacementField field = translation_field();
  PointSet fixed, moving;
  fixed.points = {{"a", {0, 0, 0}}, {"b", {1, 0, 0}}};
  moving.points = {{"a", {0, 0, 0}}, {"c", {1, 0, 0}}};
  const Error unpaired = test::error_of([&] { target_registration_error(field, fixed, moving); });
  EXPECT_EQ(unpaired.kind(), ErrorKind::kData);
  EXPECT_NE(std::string(unpaired.what()).find("'b'"), std::string::npos) << unpaired.what();
  const Error empty = test::error_of([&] { target_registration_error(field, {}, {}); });
  EXPECT_EQ(empty.kind(), ErrorKind::kData);
}

}  // namespace
}  // namespace modir::evaluate
