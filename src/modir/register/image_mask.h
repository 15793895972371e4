#pragma once

// Where the image terms count on the fixed grid. On a CT, the air around the patient holds
// nothing that moves with the patient: noise, the couch, and on a scan with a hip replacement
// the streaks its metal casts across the slice. Local correlation normalises that noise and then
// pulls on the field by it, most of all near the skin and the scan's faces, where little else
// decides the field. So by default the image terms count inside the patient's outline only.

#include <cstdint>
#include <memory>
#include <string>

#include "modir/register/registration.h"

namespace modir::reg {

/// The fixed-grid mask of the image terms and where it came from.
struct ImageTermMask {
  std::shared_ptr<const Image<std::uint8_t>> mask;  ///< null: every voxel counts
  /// "fixed_mask" (the user's), "body_outline" (the fixed CT's patient outline) or "none".
  std::string source = "none";
  /// Why image.mask "body" could not be had (a fixed scan that is not CT in HU), else empty.
  std::string note;
  double share = 1.0;  ///< fraction of the fixed grid's voxels inside
};

/// The user's --fixed-mask when given (it always wins); else with image.mask "body" the patient's
/// outline on a CT fixed scan (filter::body_mask_from_ct); else none. A fixed scan that is not in
/// HU, or whose outline comes out empty, gets none and a note saying why.
ImageTermMask image_term_mask(const RegistrationInputs& inputs, const ImageTermConfig& config);

}  // namespace modir::reg
