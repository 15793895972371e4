#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "modir/core/image.h"
#include "modir/objective/similarity/similarity.h"
#include "modir/objective/term.h"

namespace modir::objective {

/// Weights of the three conditions of a locally rigid map (Staring, Klein, Pluim 2007).
struct RigidityConditions {
  double orthonormality = 1.0;  ///< J^T J = I: no stretch, no shear
  double properness = 2.0;      ///< det J = 1: no volume change (and no reflection)
  double affinity = 1.0;        ///< d2u/dx2 = 0: the same linear map throughout [mm^2 scale]
};

/// The rigidity penalty of Staring, Klein and Pluim ("A rigidity penalty term for nonrigid
/// registration", Med. Phys. 2007) on the dense displacement u, inside a mask of rigid tissue
/// (bone):
///
///   E = mean over mask samples of  w_o sum_ij ((J^T J - I)_ij)^2 + w_p (det J - 1)^2
///                                 + w_a s^2 sum_r |H_r|_F^2,
///
/// J = I + du/dx by central differences (world mm, through spacing and direction), H_r the world
/// Hessian of component r by second differences, s the mean voxel spacing (so the affinity part
/// is dimensionless, as the other two). Orthonormality and properness hold at every point of a
/// connected region only for a rigid motion, so E = 0 exactly on rigid motions of the mask and
/// grows with any bending, stretching or shear of it; away from the mask the term says nothing.
///
/// Mask voxels are sampled every `stride` voxels along each axis (the control grid cannot follow
/// finer detail), and only where the whole 3x3x3 stencil lies inside the grid. The gradient is the
/// exact adjoint of those differences, scattered in three interleaved passes over z slices so
/// that no two threads touch one voxel: deterministic for any thread count.
class RigidityPenalty final : public FieldTerm {
 public:
  /// `mask` (nonzero = rigid) on the grid of the fields this term will see.
  RigidityPenalty(const Mask& mask, const Size3& stride, RigidityConditions conditions = {});

  std::string name() const override { return "rigidity"; }
  ObjectiveGroup group() const override { return ObjectiveGroup::kDeformation; }
  double evaluate(const DisplacementField& u, DisplacementField* gradient, double weight) override;

  std::int64_t sample_count() const { return static_cast<std::int64_t>(samples_.size()); }

 private:
  Geometry grid_;
  RigidityConditions conditions_;
  double spacing_scale2_ = 1.0;             ///< s^2 of the affinity part
  std::vector<std::int64_t> samples_;       ///< linear voxel indices, ascending
  std::vector<std::int64_t> slice_begin_;   ///< samples_ of slice k start at slice_begin_[k]
  // Per sample, dE/d(first differences) (9) and dE/d(second differences) (3 x 6), both already
  // divided by the sample count; reused by every evaluation.
  std::vector<float> first_, second_;
  std::vector<double> value_;               ///< per sample
};

}  // namespace modir::objective
