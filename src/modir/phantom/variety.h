#pragma once

#include <nlohmann/json.hpp>

#include "modir/core/geometry.h"
#include "modir/phantom/random.h"

namespace modir::phantom {

/// How one scan of a pair was acquired when `--variety` asks for scanners and protocols beyond
/// the default ones, so that a figure measured on phantoms does not hold for one protocol only.
/// Every value is drawn from the pair's seed (docs/phantom.md, "Variety").
struct ScanVariety {
  double slice_mm = 3.0;             ///< slice spacing and thickness, 1-5 mm
  double z_coverage = 1.0;           ///< fraction of the nominal scanned range kept
  double z_offset_fraction = 0.0;    ///< where the kept range sits, -1 (caudal) .. 1 (cranial)
  Vec3d fov_offset_mm;               ///< in-plane shift of the field of view (truncates the outline)
  double inplane_blur_mm = 0.6;      ///< reconstruction kernel, Gaussian sigma
  double noise_sigma_hu = 15.0;      ///< noise level
  double noise_correlation_mm = 0.0;  ///< noise texture: Gaussian sigma of the noise's correlation
  double contrast_scale = 1.0;       ///< tissue contrast about water (0 HU), above -300 HU
  double hu_offset = 0.0;            ///< calibration offset
};

struct PairVariety {
  ScanVariety fixed, moving;
};

/// Draws both scans' acquisition independently: slice 1-5 mm, fixed range 75-100 % and moving
/// range 60-100 % of the nominal one, in-plane offset up to 25 mm, kernel blur 0.4-1.0 mm, noise
/// 8-45 HU with correlation 0-1.2 mm, contrast 0.9-1.1, offset -20..20 HU.
PairVariety draw_variety(Rng& rng);

/// The nominal grid of a size with one scan's slice spacing, range and field-of-view offset; the
/// in-plane grid and the direction stay.
Geometry varied_grid(const Geometry& nominal, const ScanVariety& variety);

nlohmann::json to_json(const ScanVariety& variety);

}  // namespace modir::phantom
