#pragma once

#include <cstdint>

#include "modir/core/image.h"

namespace modir::transform {

/// det(I + du/dx) of a displacement field at every voxel, with du/dx in world units (the index
/// derivatives are mapped through the grid's spacing and direction). Central differences inside,
/// one-sided at the faces. A value <= 0 is a fold.
Image<float> jacobian_determinant(const DisplacementField& field);

/// Summary of a Jacobian determinant map.
struct JacobianStatistics {
  double min = 0.0;
  double max = 0.0;
  double mean = 0.0;
  double std_log = 0.0;            ///< standard deviation of log(det) over unfolded voxels
  std::int64_t folded_voxels = 0;  ///< voxels with det <= 0
  double folded_fraction = 0.0;
};

JacobianStatistics jacobian_statistics(const Image<float>& determinant);

}  // namespace modir::transform
