#pragma once

#include <cstdint>
#include <vector>

#include "modir/core/image.h"

namespace modir::transform {

/// Samples `moving` at x + u(x) for every voxel x of u's grid (trilinear). Points outside the
/// moving grid (more than half a voxel) take the nearest edge value and are marked 0 in `inside`.
/// When `gradient` is not null it receives the world-mm gradient of the trilinear interpolant
/// at x + u(x) (the exact derivative of the warped value with respect to u). Parallel over slices;
/// output images are resized to u's grid.
void warp_linear(const Image<float>& moving, const DisplacementField& u, Image<float>& warped,
                 DisplacementField* gradient = nullptr, Image<std::uint8_t>* inside = nullptr);

/// How much each voxel's sample x + u(x) lies within the moving image, as a weight that is
/// continuous in u: 1 up to the moving grid's outer voxel centres (and a thousandth of a voxel
/// beyond, for float rounding), falling linearly to 0 at its edge half a voxel further out
/// (where the interpolant is only the border value continued), 0 beyond; per axis, multiplied
/// over the axes. A binary inside/outside mask makes every term weighted by it jump whenever a
/// sample crosses the edge, and a line search cannot work with jumps; this weight changes
/// continuously instead, and its derivative is known.
struct OverlapWeights {
  Image<float> weight;  ///< on u's grid
  /// The voxels where the weight depends on u (samples within the edge's half voxel), in
  /// increasing order, and d weight / d u (world mm^-1) at each.
  std::vector<std::int64_t> ramp_voxels;
  std::vector<Vec3f> ramp_gradient;
};

/// warp_linear that also gives the overlap weights of every voxel (see OverlapWeights).
void warp_linear(const Image<float>& moving, const DisplacementField& u, Image<float>& warped,
                 DisplacementField* gradient, OverlapWeights& overlap);

}  // namespace modir::transform
