#pragma once

#include "modir/core/image.h"

namespace modir::reg {

/// The image at a coarser spacing (per axis never finer than its own): Gaussian anti-aliasing
/// with sigma = sqrt(s_new^2 - s_old^2) / 2 per axis, then linear resampling onto a grid over the
/// same field of view (filter::geometry_with_spacing). An image already at that spacing is copied.
Image<float> downsample(const Image<float>& image, const Vec3d& spacing);

/// The spacing of a pyramid level: `target_mm` along every axis, but never finer than the image.
Vec3d level_spacing(const Geometry& image, double target_mm);

/// The world point at the centre of a grid's field of view.
Vec3d grid_centre(const Geometry& grid);

}  // namespace modir::reg
