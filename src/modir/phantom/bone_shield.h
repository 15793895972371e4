#pragma once

#include <memory>

#include "modir/core/image.h"
#include "modir/core/vec.h"
#include "modir/phantom/anatomy.h"

namespace modir::phantom {

/// Bones move rigidly: a weight that is 0 on bone and rises smoothly to 1 at `margin_mm` from it,
/// by which the soft-tissue displacement is multiplied. Then scan A sees the bones where the
/// anatomy has them, and the two scans differ on bone by the rigid set-up motion alone, as in a
/// real patient; the soft tissue next to a bone slides less the closer it is (the filling bladder
/// cannot push the pubis). The distance to bone is tabulated once on a 3 mm grid over the body
/// and interpolated trilinearly, so the weight is Lipschitz and the shielded map stays invertible
/// (meta.json reports its Jacobian minimum).
class BoneShield {
 public:
  BoneShield(const Anatomy& anatomy, double margin_mm);

  /// In [0, 1]: 0 on bone, 1 from margin_mm away (a C2 smootherstep in between).
  double weight(const Vec3d& p) const;
  double margin_mm() const { return margin_mm_; }

 private:
  double margin_mm_;
  Image<float> distance_mm_;  ///< to the nearest bone voxel centre, on the table grid
};

}  // namespace modir::phantom
