#pragma once

// Point sets carried by a displacement field, in either direction, with the checks that keep a
// guessed point out of a landmark file: a point the field does not cover is an error naming it.

#include <string>

#include "modir/core/image.h"
#include "modir/core/point_set.h"

namespace modir::transform {

/// Fixed points to the moving scan: y = x + u(x). A point more than half a voxel outside the
/// field's grid is a data error naming it, `points_name` (where the points came from) and
/// `field_name`: beyond the grid the field knows nothing, and a guessed landmark biases every
/// error computed from it.
PointSet map_points_forward(const DisplacementField& field, const PointSet& fixed,
                            const std::string& points_name, const std::string& field_name);

struct PointsBack {
  PointSet fixed;
  double worst_residual_mm = 0.0;  ///< the largest |x + u(x) - y| left
};

/// Moving points back to the fixed scan: for each y the x with x + u(x) = y, solved per point
/// (invert_point: Newton's method, as `modir invert` does for a whole grid), so no inverse field
/// is needed. A point no fixed point maps onto is a data error naming it; one that the solve
/// leaves more than 0.01 mm off (the field folds or nearly folds there) gets a warning.
PointsBack map_points_back(const DisplacementField& field, const PointSet& moving,
                           const std::string& points_name, const std::string& field_name);

}  // namespace modir::transform
