#pragma once

#include <string>

#include "modir/core/geometry.h"

namespace modir::evaluate {

/// "96x96x48 voxels of 2x2x3 mm at (-95, -95, -70) mm, LPS": enough to see why two grids differ.
std::string describe_grid(const Geometry& grid);

/// Throws a data error naming both inputs and describing both grids unless they share a grid
/// (Geometry::same_grid). Voxel-wise comparisons of label maps on different grids would pair
/// voxels that lie in different places, so they are refused rather than resampled silently.
void require_same_grid(const Geometry& first, const std::string& first_name, const Geometry& second,
                       const std::string& second_name);

}  // namespace modir::evaluate
