#pragma once

#include "modir/core/image.h"

namespace modir::filter {

/// Separable Gaussian smoothing with standard deviations in mm along the three index axes
/// (0 = no smoothing along that axis). The kernel is truncated at 3 sigma, normalised, and the
/// image edge is replicated, so a constant image stays constant. Parallel over slices / rows.
void gaussian_blur(Image<float>& image, const Vec3d& sigma_mm);

}  // namespace modir::filter
