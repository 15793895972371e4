// The energy's bookkeeping: group weights scale ordinary terms, never constraint terms (the fold
// guard must hold with the same strength on every point of a Pareto front), and the per-group
// values that become a front's objectives leave the constraint out.

#include "modir/register/energy.h"

#include <gtest/gtest.h>

#include <cmath>

#include "modir/transform/bspline_grid.h"

namespace modir::reg {
namespace {

using objective::ObjectiveGroup;

// E = sum of |u|^2 over voxels, in a chosen group: simple, with a known gradient.
class SquaredField final : public objective::FieldTerm {
 public:
  explicit SquaredField(ObjectiveGroup group) : group_(group) {}
  std::string name() const override { return "squared field"; }
  ObjectiveGroup group() const override { return group_; }
  double evaluate(const DisplacementField& u, DisplacementField* gradient, double weight) override {
    double e = 0;
    for (std::int64_t i = 0; i < u.voxel_count(); ++i) {
      const Vec3f v = u.data()[i];
      e += double(v.x) * v.x + double(v.y) * v.y + double(v.z) * v.z;
      if (gradient) gradient->data()[i] += v * static_cast<float>(2.0 * weight);
    }
    return e;
  }

 private:
  ObjectiveGroup group_;
};

struct Fixture {
  Geometry grid;
  transform::BSplineGrid bspline;
  transform::BSplineParametrisation parametrisation;
  std::vector<double> theta;

  Fixture()
      : grid(make_grid()),
        bspline(grid, 4.0),
        parametrisation(grid, bspline, transform::AffineTransform{}),
        theta(bspline.parameter_count(), 0.3) {}

  static Geometry make_grid() {
    Geometry g;
    g.size = {8, 7, 6};
    return g;
  }
};

TEST(Energy, GroupWeightsScaleOrdinaryTermsButNotConstraints) {
  Fixture f;
  Energy energy(f.parametrisation);
  energy.add(std::make_unique<SquaredField>(ObjectiveGroup::kDeformation), 2.0);
  energy.add(std::make_unique<SquaredField>(ObjectiveGroup::kDeformation), 5.0,
             /*constraint=*/true);
  const double e1 = energy(f.theta, {});
  const double term = energy.term_values().at(0).value;
  ASSERT_GT(term, 0.0);
  EXPECT_NEAR(e1, 2.0 * term + 5.0 * term, 1e-9 * e1);

  energy.set_group_weights({1.0, 1.0, 10.0});
  const double e10 = energy(f.theta, {});
  // Only the ordinary term grows tenfold; the constraint keeps its weight of 5.
  EXPECT_NEAR(e10, 20.0 * term + 5.0 * term, 1e-9 * e10);

  // Gradients follow the same weights.
  std::vector<double> g(f.theta.size(), 0.0);
  energy(f.theta, g);
  Energy ordinary_only(f.parametrisation);
  ordinary_only.add(std::make_unique<SquaredField>(ObjectiveGroup::kDeformation), 25.0);
  std::vector<double> expected(f.theta.size(), 0.0);
  ordinary_only(f.theta, expected);
  // The field is float32: agreement to float precision.
  for (std::size_t i = 0; i < g.size(); ++i)
    EXPECT_NEAR(g[i], expected[i], 1e-6 * (1.0 + std::abs(expected[i])));
}

TEST(Energy, GroupValuesLeaveConstraintsOut) {
  Fixture f;
  Energy energy(f.parametrisation);
  energy.add(std::make_unique<SquaredField>(ObjectiveGroup::kImage), 1.0);
  energy.add(std::make_unique<SquaredField>(ObjectiveGroup::kDeformation), 3.0);
  energy.add(std::make_unique<SquaredField>(ObjectiveGroup::kDeformation), 7.0,
             /*constraint=*/true);
  energy.set_group_weights({2.0, 1.0, 4.0});
  energy(f.theta, {});
  const double term = energy.term_values().at(0).value;
  const auto groups = energy.group_values();
  // Term weights only (group weights are what a front varies), and no constraint.
  EXPECT_NEAR(groups[0], 1.0 * term, 1e-9 * term);
  EXPECT_NEAR(groups[1], 0.0, 1e-12);
  EXPECT_NEAR(groups[2], 3.0 * term, 1e-9 * term);
  EXPECT_TRUE(energy.term_values().at(2).constraint);
  EXPECT_FALSE(energy.term_values().at(1).constraint);
}

}  // namespace
}  // namespace modir::reg
