#pragma once

#include "modir/core/geometry.h"
#include "modir/core/image.h"

namespace modir::filter {

enum class Interpolation {
  kLinear,   ///< trilinear; integer types are rounded back to the nearest value
  kNearest,  ///< nearest voxel: the only choice for label maps (labels are not numbers)
};

/// A grid over the same physical extent as `geometry` (the outer faces of its first and last
/// voxels) with the new spacing: size = round(extent / spacing), at least 1, and the grid centred
/// on the old one, so the field of view neither grows nor shifts. Direction is kept.
Geometry geometry_with_spacing(const Geometry& geometry, const Vec3d& spacing);

/// Samples `image` at the world position of every voxel centre of `target` (any grid, any
/// direction). Points up to half a voxel outside the source take the nearest edge value; points
/// further out take `outside_value`. Parallel over target slices.
template <typename T>
Image<T> resample(const Image<T>& image, const Geometry& target, Interpolation interpolation,
                  double outside_value = 0.0);

}  // namespace modir::filter
