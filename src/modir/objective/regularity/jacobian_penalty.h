#pragma once

#include <string>
#include <vector>

#include "modir/core/image.h"
#include "modir/objective/term.h"

namespace modir::objective {

/// A penalty on small or negative Jacobian determinants of the dense displacement u:
///
///   E = mean over voxels of psi(det J(x)),  psi(d) = (tau - d)^2 / tau^2 for d < tau, else 0.
///
/// det J = det(I + du/dx) uses exactly the finite differences of
/// transform::jacobian_determinant (central inside, one-sided at the faces, index derivatives
/// mapped through spacing and direction), so a field with zero penalty has no voxel with
/// det < tau, and in particular no fold, by the measure the evaluation reports. psi is C1, so
/// the optimiser sees no jump at tau; it reaches 1 at det = 0 and grows quadratically beyond.
///
/// The gradient is the exact adjoint of that stencil: each voxel's cofactor matrix, mapped
/// through the index-from-world matrix, is sent back to the neighbours its differences read.
/// It is gathered per output voxel (parallel over slices, no shared writes), so it is
/// deterministic and independent of the thread count.
class JacobianPenalty final : public FieldTerm {
 public:
  /// `tau` in (0, 1]: determinants below it are penalised.
  explicit JacobianPenalty(double tau = 0.2);

  std::string name() const override { return "jacobian_penalty"; }
  ObjectiveGroup group() const override { return ObjectiveGroup::kDeformation; }
  double evaluate(const DisplacementField& u, DisplacementField* gradient, double weight) override;

 private:
  double tau_;
  // Scratch reused by every evaluation.
  std::vector<double> slice_sums_;  ///< sum of psi per z slice, added in order at the end
  std::vector<char> slice_active_;  ///< whether any voxel of a z slice has det < tau
  std::vector<float> det_slope_;    ///< dE/d(det) per voxel, zero where det >= tau
};

}  // namespace modir::objective
