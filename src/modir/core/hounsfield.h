#pragma once

// CT values that mean the same thing wherever modir reads a CT.

namespace modir {

/// Voxels at or above this are metal (hip replacements, plates, rods, fiducial markers): above
/// cortical bone (at most about 2000 HU) and iodine contrast, below the 3071 HU at which a
/// scanner without an extended scale clips metal. Segmentation QC (learn/metal_check.h) and
/// `dataset check` use it.
inline constexpr float kMetalHu = 2800.0f;

}  // namespace modir
