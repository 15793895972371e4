#pragma once

// Volumes computed from a result for looking at it: how the warped scan differs from the fixed
// one, a checkerboard of the two, where the field folds, how far it moves.

#include "modir/core/image.h"

namespace modir::review {

/// Edge of the checkerboard's squares, in mm.
inline constexpr double kCheckerboardMm = 20.0;

/// warped - fixed, voxel by voxel (same grid).
Image<float> difference(const Image<float>& warped, const Image<float>& fixed);

/// Squares of kCheckerboardMm in the fixed grid's index space (rounded to whole voxels per
/// axis, at least one): even squares show the fixed scan, odd ones the warped moving scan.
Image<float> checkerboard(const Image<float>& warped, const Image<float>& fixed);

/// 1 where the Jacobian determinant is at most 0 (the field folds), else 0.
Image<std::uint8_t> folded(const Image<float>& jacobian);

/// |u| in mm.
Image<float> magnitude(const DisplacementField& u);

}  // namespace modir::review
