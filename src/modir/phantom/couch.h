#pragma once

#include "modir/phantom/acquisition.h"
#include "modir/phantom/random.h"

#include <nlohmann/json.hpp>

namespace modir::phantom {

/// The patient couch of a CT scanner, which real planning scans show under the patient and the
/// phantom's scans otherwise lack: a carbon-fibre tabletop (two dense skins around a foam core,
/// slightly troughed), an optional foam mattress on it and optional dense indexing rails at its
/// edges. It belongs to the scanner, not the patient: it does not follow the patient's motion, and
/// its voxels are background in the labels (a planning system's BODY excludes it).
struct Couch {
  double gap_mm = 0.0;          ///< between the patient's back and the mattress (or tabletop)
  double mattress_mm = 0.0;     ///< foam mattress thickness; 0: none
  double mattress_hu = -850.0;
  double thickness_mm = 45.0;   ///< tabletop, skin to skin
  double skin_mm = 2.0;         ///< each carbon-fibre skin
  double skin_hu = 250.0;
  double core_hu = -900.0;      ///< foam core between the skins
  double half_width_mm = 240.0;
  double trough_per_mm2 = 1.0 / 4000.0;  ///< the top rises by this times x^2 (mm) toward its edges
  double rail_hu = 0.0;         ///< 0: no rails; else 10x20 mm rails under the tabletop's edges
};

/// A couch drawn from the ranges above (docs/phantom.md, "Couch").
Couch draw_couch(Rng& rng);

/// Writes the couch into the scan's background voxels. Its top is placed `gap_mm` below the
/// patient's lowest point (the largest LPS y of any labelled voxel), centred on the patient
/// left-right; the tabletop is level along z. A scan without labelled voxels is left alone.
void add_couch(IdealScan& scan, const Couch& couch);

nlohmann::json to_json(const Couch& couch);

}  // namespace modir::phantom
