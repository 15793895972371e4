#pragma once

#include <span>
#include <string>
#include <vector>

#include "modir/core/geometry.h"
#include "modir/core/vec.h"
#include "modir/objective/regularity/bspline_gram.h"
#include "modir/objective/term.h"

namespace modir::objective {

/// The bending energy of a cubic B-spline displacement, exactly, as a function of its
/// coefficients (the parameter vector of a transform::BSplineGrid):
///
///   E = (1/V) * integral over R^3 of sum over components of
///       u_xx^2 + u_yy^2 + u_zz^2 + 2 u_xy^2 + 2 u_xz^2 + 2 u_yz^2      [mm^-2]
///
/// It penalises curvature and nothing affine. The integral covers the whole support of the
/// spline (coefficients beyond the grid are zero), so a grid cut off in the middle of an affine
/// field still bends at its borders. Each term is a tensor product of 1D Gram sequences scaled
/// by h^(3-4), so value and gradient come from separable 7-tap passes over the control grid.
class BendingEnergy final : public ParameterTerm {
 public:
  /// `control_size` and `spacing_mm` (h) describe the grid; `domain_volume_mm3` (V) normalises
  /// the energy to a mean over the registered domain. `direction` (the grid axes in the world)
  /// only has to be orthonormal: the sum of squared second derivatives over all components is
  /// invariant under rotations of both the derivative axes and the components, so derivatives
  /// along the grid axes of the world-mm components give the world energy.
  BendingEnergy(const Size3& control_size, double spacing_mm, const Mat3& direction,
                double domain_volume_mm3);

  std::string name() const override { return "bending_energy"; }
  ObjectiveGroup group() const override { return ObjectiveGroup::kDeformation; }
  /// theta: 3 coefficients (x, y, z, world mm) per control point, x fastest.
  double evaluate(std::span<const double> theta, std::span<double> gradient,
                  double weight) override;

 private:
  Size3 control_size_;
  double spacing_mm_;
  double domain_volume_mm3_;
  GramSequence g00_, g11_, g22_;
  // Scratch reused by every evaluation: three z passes, three combined y passes, and the
  // operator applied to theta.
  std::vector<double> along_z_[3];
  std::vector<double> along_yz_[3];
  std::vector<double> operator_theta_;
};

}  // namespace modir::objective
