#pragma once

#include <cstdint>

#include "modir/core/image.h"

namespace modir::filter {

/// How the patient's outline is found on a CT scan (the external contour a planning system draws).
struct BodyMaskOptions {
  /// Voxels above this are patient or couch; fat (-100 HU) lies above it, the air around the
  /// patient (-1000), couch foam and mattresses (-980..-700) below. Lungs and gas lie below it
  /// too; the hole filling puts them back.
  double threshold_hu = -400.0;
  /// The thresholded voxels are opened by a ball of this radius before the largest piece is kept:
  /// what is thinner than twice the radius and touches the patient (a couch's carbon skin, straps,
  /// tubes) comes loose from it. Structures of the patient thinner than that are lost too.
  double opening_mm = 5.0;
};

/// The patient's body on a CT scan in HU: the thresholded voxels, opened, the largest
/// 26-connected piece, its holes filled axial slice by axial slice (slice_holes.h; gas in bowel
/// and rectum, lungs). 1 inside, 0 outside. Empty (all 0) when no voxel exceeds the threshold.
Image<std::uint8_t> body_mask_from_ct(const Image<float>& ct, const BodyMaskOptions& options = {});

}  // namespace modir::filter
