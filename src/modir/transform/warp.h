#pragma once

#include <cstdint>

#include "modir/core/image.h"

namespace modir::transform {

/// Samples `moving` at x + u(x) for every voxel x of u's grid (trilinear). Points outside the
/// moving grid (more than half a voxel) take the nearest edge value and are marked 0 in `inside`.
/// When `gradient` is not null it receives the world-mm gradient of the trilinear interpolant
/// at x + u(x) (the exact derivative of the warped value with respect to u). Parallel over slices;
/// output images are resized to u's grid.
void warp_linear(const Image<float>& moving, const DisplacementField& u, Image<float>& warped,
                 DisplacementField* gradient = nullptr, Image<std::uint8_t>* inside = nullptr);

}  // namespace modir::transform
