#pragma once

// CT values that mean the same thing wherever modir reads a CT.

namespace modir {

/// Voxels at or above this are metal (hip replacements, plates, rods, fiducial markers): above
/// cortical bone (at most about 2000 HU) and iodine contrast, below the 3071 HU at which a
/// scanner without an extended scale clips metal. Segmentation QC (learn/metal_check.h) and
/// `dataset check` use it.
inline constexpr float kMetalHu = 2800.0f;

/// A CT in HU holds air (about -1000 HU) below this; MR and normalised scans hold nothing so low.
inline constexpr float kAirBelowHu = -500.0f;

/// ... and soft tissue (fat about -100 HU, water 0) above this.
inline constexpr float kTissueAboveHu = -100.0f;

/// Whether a scan whose values span lowest .. highest looks like a CT in HU: air and tissue both.
/// The landmark matcher's working image and the registration's image mask ask it.
inline bool looks_like_ct_in_hu(float lowest, float highest) {
  return lowest < kAirBelowHu && highest > kTissueAboveHu;
}

}  // namespace modir
