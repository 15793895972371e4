#pragma once

#include "modir/core/image.h"
#include "modir/core/point_set.h"
#include "modir/phantom/anatomy.h"
#include "modir/phantom/deformation.h"

namespace modir::phantom {

struct LandmarkPairs {
  PointSet fixed;   ///< in scan A, each at a voxel centre of A's grid
  PointSet moving;  ///< the same anatomical points in scan B: deformation.map(fixed)
};

/// Corresponding landmarks at distinctive places. The anatomy's named points are carried into
/// scan A through the inverse deformation and moved to the nearest voxel centre of A's grid (so
/// the ground-truth field, sampled at voxel centres, maps them exactly); their B positions come
/// from the forward map. Points outside either field of view are dropped. When fewer than
/// `minimum_count` remain (small fields of view), corner-like points of the noise-free scan A
/// (high structure-tensor response, at least 12 mm apart) are added.
LandmarkPairs place_landmarks(const Anatomy& anatomy, const PhantomDeformation& deformation,
                              const Geometry& fixed_grid, const Geometry& moving_grid,
                              const Image<float>& fixed_ideal_hu, std::size_t minimum_count);

}  // namespace modir::phantom
