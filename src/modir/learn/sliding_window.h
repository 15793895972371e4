#pragma once

#include <cstdint>
#include <vector>

#include "modir/core/geometry.h"

namespace modir::learn {

/// Start positions of windows of `patch` voxels along an axis of `size` voxels (size >= patch),
/// neighbours overlapping by at least `overlap` (0..1) of a patch; the first starts at 0 and the
/// last ends at size, the rest evenly spaced (nnU-Net's tiling).
std::vector<std::int64_t> window_starts(std::int64_t size, std::int64_t patch, double overlap);

/// The Gaussian importance map of a patch (x fastest), sigma = `sigma_fraction` of the patch size
/// per axis, maximum 1 at the centre, no value below 1e-3 of it: window predictions are blended
/// with it so that the less reliable patch borders count less.
std::vector<float> gaussian_importance(const Size3& patch, double sigma_fraction = 0.125);

}  // namespace modir::learn
