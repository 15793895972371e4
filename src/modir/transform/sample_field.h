#pragma once

#include "modir/core/image.h"

namespace modir::transform {

/// The displacement u at a world point (LPS mm), interpolated trilinearly between the voxel
/// centres of the field's grid. The point is taken to a continuous index through the field's
/// geometry (origin, spacing, direction); each index coordinate is clamped to [0, size - 1], so a
/// point outside the grid takes the value at the nearest point of the box spanned by the voxel
/// centres (constant extrapolation: no displacement is invented where the field knows nothing).
Vec3d sample_field(const DisplacementField& field, const Vec3d& world);

/// Where the field sends a fixed point: x + u(x), the corresponding point of the moving image.
Vec3d map_point(const DisplacementField& field, const Vec3d& fixed_world);

}  // namespace modir::transform
