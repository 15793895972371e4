#include "modir/evaluate/rigidity.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "modir/core/error.h"

namespace modir::evaluate {
namespace {

Mat3 rotation_z(double degrees) {
  const double a = degrees * M_PI / 180.0;
  Mat3 r;
  r.m = {{{std::cos(a), -std::sin(a), 0}, {std::sin(a), std::cos(a), 0}, {0, 0, 1}}};
  return r;
}

TEST(FitRigid, RecoversAKnownMotionExactly) {
  std::mt19937 rng(4);
  std::uniform_real_distribution<double> coordinate(-50, 50);
  const Mat3 r = rotation_z(7.0);
  const Vec3d t{3, -4, 12};
  std::vector<Vec3d> from, to;
  for (int i = 0; i < 40; ++i) {
    from.push_back({coordinate(rng), coordinate(rng), coordinate(rng)});
    to.push_back(r * from.back() + t);
  }
  const RigidFit fit = fit_rigid(from, to);
  EXPECT_NEAR(fit.rotation_deg, 7.0, 1e-9);
  EXPECT_NEAR((fit.translation - t).norm(), 0.0, 1e-9);
  EXPECT_LT(fit.rms_mm, 1e-9);
}

TEST(FitRigid, NeverAnswersWithAReflection) {
  // Mirrored points: the best reflection would fit exactly, the best rotation cannot.
  const std::vector<Vec3d> from{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 1}, {-1, 2, 0}};
  std::vector<Vec3d> to;
  for (const Vec3d& p : from) to.push_back({-p.x, p.y, p.z});
  const RigidFit fit = fit_rigid(from, to);
  EXPECT_NEAR(fit.rotation.determinant(), 1.0, 1e-12);
  EXPECT_GT(fit.rms_mm, 0.1);
}

TEST(FitRigid, DegenerateInputIsAClearError) {
  const std::vector<Vec3d> two{{0, 0, 0}, {1, 0, 0}};
  EXPECT_THROW(fit_rigid(two, two), Error);
  const std::vector<Vec3d> line{{0, 0, 0}, {1, 0, 0}, {2, 0, 0}, {3, 0, 0}};
  EXPECT_THROW(fit_rigid(line, line), Error);
}

// Two 10 mm cubes of label 2 and one of label 7 on a 1 mm grid.
LabelMap three_bones(const Geometry& g) {
  LabelMap labels(g, 0);
  for (std::int64_t z = 5; z < 25; ++z)
    for (std::int64_t y = 5; y < 25; ++y)
      for (std::int64_t x = 2; x < 38; ++x) {
        const bool first = x < 12, second = x >= 15 && x < 25, third = x >= 28;
        if ((first || second) && z < 15 && y < 15) labels(x, y, z) = 2;
        if (third && z >= 15 && y >= 15) labels(x, y, z) = 7;
      }
  return labels;
}

TEST(BoneRigidity, EachPieceIsFittedOnItsOwn) {
  Geometry g;
  g.size = {40, 30, 30};
  const LabelMap labels = three_bones(g);
  // Each piece translated differently: every piece is rigid, the set is not.
  DisplacementField u(g);
  for (std::int64_t z = 0; z < 30; ++z)
    for (std::int64_t y = 0; y < 30; ++y)
      for (std::int64_t x = 0; x < 40; ++x) u(x, y, z) = Vec3f{0, x < 14 ? 5.0f : -3.0f, 1.0f};
  const std::uint16_t bone_labels[] = {2, 7};
  const std::vector<BoneRigidity> bones = bone_rigidity(u, labels, bone_labels, 0.5);
  ASSERT_EQ(bones.size(), 3u);
  for (const BoneRigidity& b : bones) {
    EXPECT_LT(b.fit.rms_mm, 1e-5);
    EXPECT_NEAR(b.volume_ml, 1.0, 1e-9);
  }
  EXPECT_EQ(bones[2].label, 7);
}

TEST(BoneRigidity, BendingShowsAsResidual) {
  Geometry g;
  g.size = {40, 30, 30};
  const LabelMap labels = three_bones(g);
  DisplacementField u(g);
  // u_z = 0.05 (x - 7)^2 across the first cube: a bend of 1.25 mm over its 10 mm.
  for (std::int64_t z = 0; z < 30; ++z)
    for (std::int64_t y = 0; y < 30; ++y)
      for (std::int64_t x = 0; x < 40; ++x) u(x, y, z) = Vec3f{0, 0, 0.05f * float((x - 7) * (x - 7))};
  const std::uint16_t bone_labels[] = {2};
  const std::vector<BoneRigidity> bones = bone_rigidity(u, labels, bone_labels, 0.5);
  ASSERT_EQ(bones.size(), 2u);
  double first = 0;
  for (const BoneRigidity& b : bones)
    if (b.centroid_mm.x < 10) first = b.fit.rms_mm;
  EXPECT_GT(first, 0.1);
}

TEST(BoneRigidity, LabelsOffTheFieldGridAreAnError) {
  Geometry g, other;
  g.size = {10, 10, 10};
  other.size = {10, 10, 11};
  const std::uint16_t bone_labels[] = {2};
  EXPECT_THROW(bone_rigidity(DisplacementField(g), LabelMap(other, 2), bone_labels), Error);
}

}  // namespace
}  // namespace modir::evaluate
