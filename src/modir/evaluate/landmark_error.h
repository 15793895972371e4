#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "modir/core/image.h"
#include "modir/core/point_set.h"

namespace modir::evaluate {

/// One landmark pair carried through a displacement field.
struct LandmarkError {
  std::string id;
  Vec3d fixed;               ///< world LPS mm, in the fixed scan
  Vec3d moving;              ///< the same anatomical point in the moving scan
  Vec3d mapped;              ///< where the field sends `fixed`: fixed + u(fixed)
  double error_mm = 0.0;     ///< target registration error |mapped - moving|
  double initial_mm = 0.0;   ///< |fixed - moving|: the error with no registration, for comparison
  bool inside_field = true;  ///< false when `fixed` lies outside the field's grid (edge value used)
};

/// Target registration error (TRE) of a displacement field over paired landmarks, in mm.
struct TargetRegistrationError {
  std::vector<LandmarkError> points;  ///< in the order of the fixed landmark set
  double mean_mm = 0.0;
  double median_mm = 0.0;
  double p95_mm = 0.0;  ///< 95th percentile (linear interpolation, numpy's default)
  double max_mm = 0.0;
  double initial_mean_mm = 0.0;    ///< mean |fixed - moving| before registration
  std::int64_t outside_field = 0;  ///< landmarks outside the field's grid
};

/// Pairs the landmarks by id (a data error lists ids found in only one set), maps every fixed
/// landmark with transform::map_point and measures its distance to the moving landmark. The field
/// must map fixed to moving points (x -> x + u(x)), as modir's fields do. An empty pairing is a
/// data error: a TRE of nothing would read as a perfect result.
TargetRegistrationError target_registration_error(const DisplacementField& field,
                                                  const PointSet& fixed, const PointSet& moving);

}  // namespace modir::evaluate
