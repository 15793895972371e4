#pragma once

#include "modir/core/geometry.h"
#include "modir/transform/affine.h"

namespace modir::reg {

/// The fraction of the fixed scan's voxels whose point x maps by `affine` to a point inside the
/// moving scan (within half a voxel of its outer voxel centres), estimated on every 4th voxel
/// along each axis. Where the moving scan has no data no image term acts, so a short moving scan
/// (a cone-beam CT against a planning CT) leaves part of the fixed scan to the regulariser and
/// the guidance; no overlap at all leaves nothing to register.
double overlap_fraction(const Geometry& fixed, const Geometry& moving,
                        const transform::AffineTransform& affine);

}  // namespace modir::reg
