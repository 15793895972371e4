#pragma once

#include <string>
#include <vector>

#include "modir/objective/term.h"

namespace modir::objective {

/// Paired landmarks: E = sum_i w_i |x_i + u(x_i) - y_i|^2 / sum_i w_i [mm^2], fixed points x_i,
/// moving points y_i, weights w_i >= 0 (all 1 when none are given, i.e. the mean), u interpolated trilinearly from the dense field (so any parametrisation works; the
/// gradient is the transposed interpolation, spread to the 8 voxels around each x_i). Points
/// outside the level's grid are an error: they cannot guide anything.
class LandmarkTerm final : public FieldTerm {
 public:
  LandmarkTerm(std::vector<Vec3d> fixed_points, std::vector<Vec3d> moving_points,
               const Geometry& level_grid, std::vector<double> weights = {});

  std::string name() const override { return "landmark distance"; }
  ObjectiveGroup group() const override { return ObjectiveGroup::kGuidance; }
  double evaluate(const DisplacementField& u, DisplacementField* gradient, double weight) override;

 private:
  struct Stencil {
    std::int64_t voxel[8];
    double weight[8];
  };
  std::vector<Vec3d> fixed_, moving_;
  std::vector<double> weights_;  ///< normalised to sum 1
  std::vector<Stencil> stencils_;
  Geometry grid_;
};

}  // namespace modir::objective
