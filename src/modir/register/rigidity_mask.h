#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "modir/objective/similarity/similarity.h"
#include "modir/register/registration.h"

namespace modir::reg {

/// Where bones are on the fixed scan, for the rigidity penalty.
struct RigidityMask {
  objective::Mask mask;  ///< on the fixed scan's grid, 1 = rigid
  std::string source;    ///< "labels 2, 7" or "HU > 200"
  /// Bone as drawn (labels or a given mask), not thresholded from HU: config.label_mask_scale
  /// applies.
  bool drawn = false;
  double volume_ml = 0.0;
  std::int64_t pieces = 0;  ///< connected pieces kept
  double left_out_ml = 0.0;  ///< intensity mask: small pieces left out
  /// Non-empty when mask "auto" found no bone (a scan that is not CT in HU, or no bone in it):
  /// the penalty is then off, and this says why (reported and warned, never silent).
  std::string skipped;
};

/// The mask config.rigidity asks for, or nothing when the rigidity weight is 0. Data errors:
/// mask "labels" without fixed labels or with none of the rigid labels on them; mask
/// "intensity" on a scan that is not CT in HU or holds no bone; a given mask that is empty or off
/// the fixed grid. Mask "auto" falls back from labels to HU, and from HU to `skipped`.
std::optional<RigidityMask> rigidity_mask(const RegistrationInputs& inputs,
                                          const RigidityConfig& config);

}  // namespace modir::reg
