// Multiple-gradient descent: the per-group gradients it needs, and its promise that every
// objective improves (or nothing moves, at a Pareto-stationary point).

#include "modir/register/common_descent.h"

#include <gtest/gtest.h>

#include <cmath>

#include "modir/transform/bspline_grid.h"
#include "modir/transform/parametrisation.h"

namespace modir::reg::detail {
namespace {

using objective::ObjectiveGroup;

// E = mean over voxels of |u - target|^2: each group pulls the field to its own target, so the
// groups conflict and the Pareto set is the targets' convex hull (voxel by voxel).
class TargetField final : public objective::FieldTerm {
 public:
  TargetField(ObjectiveGroup group, Vec3f target) : group_(group), target_(target) {}
  std::string name() const override { return "target field"; }
  ObjectiveGroup group() const override { return group_; }
  double evaluate(const DisplacementField& u, DisplacementField* gradient, double weight) override {
    double e = 0;
    const auto n = static_cast<double>(u.voxel_count());
    for (std::int64_t i = 0; i < u.voxel_count(); ++i) {
      const Vec3f d = u.data()[i] - target_;
      e += (double(d.x) * d.x + double(d.y) * d.y + double(d.z) * d.z) / n;
      if (gradient) gradient->data()[i] += d * static_cast<float>(2.0 * weight / n);
    }
    return e;
  }

 private:
  ObjectiveGroup group_;
  Vec3f target_;
};

struct Fixture {
  Geometry grid;
  transform::BSplineGrid bspline;
  transform::BSplineParametrisation parametrisation;
  Energy energy;

  Fixture() : grid(make_grid()), bspline(grid, 4.0), parametrisation(grid, bspline, {}),
              energy(parametrisation) {
    energy.add(std::make_unique<TargetField>(ObjectiveGroup::kImage, Vec3f{1, 0, 0}), 1.0);
    energy.add(std::make_unique<TargetField>(ObjectiveGroup::kGuidance, Vec3f{0, 1, 0}), 2.0);
    energy.add(std::make_unique<TargetField>(ObjectiveGroup::kDeformation, Vec3f{0, 0, 0}), 0.5);
  }
  static Geometry make_grid() {
    Geometry g;
    g.size = {9, 8, 7};
    g.spacing = {1.5, 1.0, 2.0};
    return g;
  }
  std::vector<double> constant(double x, double y, double z) const {
    // B-splines sum to one: equal coefficients give a constant field.
    std::vector<double> theta(bspline.parameter_count());
    for (std::size_t i = 0; i < theta.size(); i += 3) {
      theta[i] = x;
      theta[i + 1] = y;
      theta[i + 2] = z;
    }
    return theta;
  }
};

TEST(GroupGradients, AddUpToTheEnergysGradient) {
  Fixture f;
  f.energy.add(std::make_unique<TargetField>(ObjectiveGroup::kDeformation, Vec3f{0, 0, 3}), 4.0,
               /*constraint=*/true);
  f.energy.set_group_weights({2.0, 0.5, 3.0});
  std::vector<double> theta = f.constant(0.7, -0.2, 0.4);
  for (std::size_t i = 0; i < theta.size(); ++i) theta[i] += 0.01 * double(i % 13);
  std::vector<double> total(theta.size());
  f.energy(theta, total);
  const auto values = f.energy.term_values();
  std::array<std::vector<double>, 4> groups;
  f.energy.group_gradients(theta, groups);
  for (std::size_t k = 0; k < theta.size(); ++k) {
    const double sum = groups[0][k] + groups[1][k] + groups[2][k] + groups[3][k];
    EXPECT_NEAR(sum, total[k], 1e-6 * (1.0 + std::abs(total[k]))) << k;
  }
  // Each group's own gradient: the image group alone is 2 x the image term's.
  Energy image_only(f.parametrisation);
  image_only.add(std::make_unique<TargetField>(ObjectiveGroup::kImage, Vec3f{1, 0, 0}), 2.0);
  std::vector<double> expected(theta.size());
  image_only(theta, expected);
  for (std::size_t k = 0; k < theta.size(); ++k)
    EXPECT_NEAR(groups[0][k], expected[k], 1e-6 * (1.0 + std::abs(expected[k])));
  ASSERT_EQ(f.energy.term_values().size(), values.size());
  for (std::size_t i = 0; i < values.size(); ++i)
    EXPECT_DOUBLE_EQ(f.energy.term_values()[i].value, values[i].value) << values[i].name;
}

TEST(CommonDescent, EveryObjectiveImproves) {
  Fixture f;
  std::vector<double> theta = f.constant(2.0, 2.5, -1.0);  // outside the targets' hull
  f.energy(theta, {});
  const auto before = f.energy.group_values();
  LevelLog log;
  const auto r = common_descent(f.energy, theta, 5, 0.5, log);
  EXPECT_GT(r.steps, 0);
  EXPECT_FALSE(r.stationary);
  f.energy(theta, {});
  const auto after = f.energy.group_values();
  for (std::size_t g = 0; g < 3; ++g) EXPECT_LT(after[g], before[g]) << "group " << g;
  // The log's end terms are those of the returned theta.
  ASSERT_EQ(log.end_terms.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i)
    EXPECT_DOUBLE_EQ(log.end_terms[i].value, f.energy.term_values()[i].value);
  EXPECT_EQ(log.iterations, r.steps);
}

TEST(CommonDescent, StopsAtAParetoStationaryPoint) {
  // (0.3, 0.3, 0) lies inside the hull of the targets (1,0,0), (0,1,0), (0,0,0): every
  // direction worsens some objective, so nothing moves.
  Fixture f;
  std::vector<double> theta = f.constant(0.3, 0.3, 0.0);
  const std::vector<double> start = theta;
  LevelLog log;
  const auto r = common_descent(f.energy, theta, 5, 0.5, log);
  EXPECT_EQ(r.steps, 0);
  EXPECT_TRUE(r.stationary);
  EXPECT_EQ(theta, start);
}

}  // namespace
}  // namespace modir::reg::detail
