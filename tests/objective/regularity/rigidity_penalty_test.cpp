#include "modir/objective/regularity/rigidity_penalty.h"

#include <gtest/gtest.h>

#include <cmath>

#include "objective/term_gradient_check.h"
#include "support/test_support.h"

namespace modir::objective {
namespace {

Mask full_mask(const Geometry& g) { return Mask(g, 1); }

// A rotation about an oblique axis by `degrees`, as a displacement: u(x) = R (x - c) + c + t - x.
DisplacementField rigid_motion(const Geometry& g, double degrees, const Vec3d& t) {
  const double a = degrees * M_PI / 180.0;
  const Vec3d n = Vec3d{1, 2, 3} / Vec3d{1, 2, 3}.norm();
  const double c = std::cos(a), s = std::sin(a), k = 1 - c;
  Mat3 r;
  r.m = {{{k * n.x * n.x + c, k * n.x * n.y - s * n.z, k * n.x * n.z + s * n.y},
          {k * n.x * n.y + s * n.z, k * n.y * n.y + c, k * n.y * n.z - s * n.x},
          {k * n.x * n.z - s * n.y, k * n.y * n.z + s * n.x, k * n.z * n.z + c}}};
  const Vec3d centre = g.index_to_world({g.size[0] / 2.0, g.size[1] / 2.0, g.size[2] / 2.0});
  DisplacementField u(g);
  for (std::int64_t z = 0; z < g.size[2]; ++z)
    for (std::int64_t y = 0; y < g.size[1]; ++y)
      for (std::int64_t x = 0; x < g.size[0]; ++x) {
        const Vec3d p = g.index_to_world({double(x), double(y), double(z)});
        u(x, y, z) = (r * (p - centre) + centre + t - p).cast<float>();
      }
  return u;
}

TEST(RigidityPenalty, ZeroForRigidMotionsOnAnObliqueGrid) {
  const Geometry g = test::oblique_geometry({14, 12, 10});
  RigidityPenalty term(full_mask(g), {1, 1, 1});
  ASSERT_GT(term.sample_count(), 0);
  EXPECT_NEAR(term.evaluate(rigid_motion(g, 0.0, {3, -2, 5}), nullptr, 1.0), 0.0, 1e-12);
  // Float storage of a 4 degree rotation leaves ~1e-7 relative rounding in J.
  EXPECT_NEAR(term.evaluate(rigid_motion(g, 4.0, {1, 2, 3}), nullptr, 1.0), 0.0, 1e-9);
}

TEST(RigidityPenalty, EachConditionSeesItsOwnViolation) {
  Geometry g;
  g.size = {10, 10, 10};
  g.spacing = {1.5, 1.5, 1.5};
  DisplacementField stretch(g), bend(g);
  for (std::int64_t z = 0; z < 10; ++z)
    for (std::int64_t y = 0; y < 10; ++y)
      for (std::int64_t x = 0; x < 10; ++x) {
        const Vec3d p = g.index_to_world({double(x), double(y), double(z)});
        stretch(x, y, z) = Vec3f{0.1f * float(p.x), 0, 0};               // J = diag(1.1, 1, 1)
        bend(x, y, z) = Vec3f{0, 0, 0.01f * float(p.x * p.x)};            // curved, J near I
      }
  const Mask mask = full_mask(g);
  RigidityPenalty only_orthonormality(mask, {1, 1, 1}, {1, 0, 0});
  RigidityPenalty only_properness(mask, {1, 1, 1}, {0, 1, 0});
  RigidityPenalty only_affinity(mask, {1, 1, 1}, {0, 0, 1});
  // (1.1^2 - 1)^2 = 0.0441; (1.1 - 1)^2 = 0.01; a linear field has no second derivative.
  EXPECT_NEAR(only_orthonormality.evaluate(stretch, nullptr, 1.0), 0.0441, 1e-6);
  EXPECT_NEAR(only_properness.evaluate(stretch, nullptr, 1.0), 0.01, 1e-6);
  EXPECT_NEAR(only_affinity.evaluate(stretch, nullptr, 1.0), 0.0, 1e-9);
  // d2u_z/dx2 = 0.02 mm^-1, scaled by s^2 = 2.25 mm^2: 2.25 * 0.02^2 = 9e-4.
  EXPECT_NEAR(only_affinity.evaluate(bend, nullptr, 1.0), 9e-4, 1e-7);
}

TEST(RigidityPenalty, GradientMatchesFiniteDifferences) {
  const Geometry g = test::oblique_geometry({13, 11, 9});
  Mask mask(g, 0);
  for (std::int64_t z = 2; z < 8; ++z)
    for (std::int64_t y = 1; y < 9; ++y)
      for (std::int64_t x = 3; x < 11; ++x) mask(x, y, z) = 1;
  const DisplacementField u = test::smooth_field(g, 3.0, 7);
  RigidityPenalty dense(mask, {1, 1, 1});
  test::expect_gradient_matches(dense, u, 1e-3, 2e-3);
  RigidityPenalty sampled(mask, {2, 1, 3}, {0.5, 3.0, 10.0});
  test::expect_gradient_matches(sampled, u, 1e-3, 2e-3);
}

TEST(RigidityPenalty, GradientIsAddedScaledByTheWeight) {
  const Geometry g = test::oblique_geometry({9, 9, 9});
  const DisplacementField u = test::smooth_field(g, 2.0, 3);
  RigidityPenalty term(full_mask(g), {1, 1, 1});
  DisplacementField once(g, Vec3f{1, 1, 1}), scaled(g, Vec3f{1, 1, 1});
  term.evaluate(u, &once, 1.0);
  term.evaluate(u, &scaled, 2.5);
  for (std::int64_t v = 0; v < u.voxel_count(); ++v) {
    const Vec3f expected = (once.data()[v] - Vec3f{1, 1, 1}) * 2.5f + Vec3f{1, 1, 1};
    EXPECT_NEAR(scaled.data()[v].x, expected.x, 1e-5 + 1e-5 * std::abs(expected.x));
  }
}

TEST(RigidityPenalty, NoSamplesMeansNoEnergy) {
  Geometry g;
  g.size = {8, 8, 2};  // no voxel has both z neighbours
  RigidityPenalty term(full_mask(g), {1, 1, 1});
  EXPECT_EQ(term.sample_count(), 0);
  DisplacementField u(g, Vec3f{1, 0, 0}), gradient(g);
  EXPECT_EQ(term.evaluate(u, &gradient, 1.0), 0.0);
}

TEST(RigidityPenalty, BadInputIsAClearError) {
  Geometry g;
  g.size = {6, 6, 6};
  EXPECT_THROW(RigidityPenalty(full_mask(g), {0, 1, 1}), Error);
  EXPECT_THROW(RigidityPenalty(full_mask(g), {1, 1, 1}, {-1, 0, 0}), Error);
  RigidityPenalty term(full_mask(g), {1, 1, 1});
  Geometry other = g;
  other.size = {6, 6, 7};
  EXPECT_THROW(term.evaluate(DisplacementField(other), nullptr, 1.0), Error);
}

}  // namespace
}  // namespace modir::objective
