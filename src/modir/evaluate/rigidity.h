#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "modir/core/image.h"
#include "modir/core/vec.h"

namespace modir::evaluate {

/// The least-squares rigid motion y ~ R x + t between paired points, and how far the pairs are
/// from it.
struct RigidFit {
  Mat3 rotation;                 ///< proper rotation (det +1)
  Vec3d translation;             ///< world mm
  double rms_mm = 0.0;           ///< root mean square of |R x + t - y|
  double max_mm = 0.0;           ///< largest |R x + t - y|
  double rotation_deg = 0.0;     ///< angle of `rotation`
};

/// Kabsch's solution (SVD of the cross-covariance, with the reflection case corrected). Needs at
/// least 3 pairs that are not all on one line; fewer is a data error.
RigidFit fit_rigid(std::span<const Vec3d> from, std::span<const Vec3d> to);

/// How rigidly a displacement field moves one bone: the field over the bone's voxels compared
/// with the rigid motion that fits it best. Bones move rigidly in truth, so any residual is the
/// registration bending them.
struct BoneRigidity {
  std::uint16_t label = 0;
  int component = 0;          ///< among the label's pieces, largest first
  std::int64_t voxels = 0;
  double volume_ml = 0.0;
  Vec3d centroid_mm;          ///< world
  RigidFit fit;               ///< of x -> x + u(x) over the bone's voxels
};

/// Per bone: every 26-connected piece of each label in `bone_labels` of at least `min_volume_ml`
/// (the phantom's label 2 holds the pelvis and both femoral shafts, label 7 both femoral heads:
/// each piece moves rigidly on its own, and the pieces need not move together). `labels` must
/// share u's grid (a data error otherwise). Pieces are sampled at most `max_samples` voxels each
/// (evenly, by index), which leaves the fit unchanged to well below 0.01 mm on bone-sized pieces.
std::vector<BoneRigidity> bone_rigidity(const DisplacementField& u, const LabelMap& labels,
                                        std::span<const std::uint16_t> bone_labels,
                                        double min_volume_ml = 5.0,
                                        std::int64_t max_samples = 200000);

}  // namespace modir::evaluate
