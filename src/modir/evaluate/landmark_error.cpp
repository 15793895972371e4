#include "modir/evaluate/landmark_error.h"

#include <algorithm>

#include "modir/core/error.h"
#include "modir/core/statistics.h"
#include "modir/transform/sample_field.h"

namespace modir::evaluate {

TargetRegistrationError target_registration_error(const DisplacementField& field,
                                                  const PointSet& fixed, const PointSet& moving) {
  const PointPairs pairs = pair_by_id(fixed, moving);
  if (pairs.ids.empty()) {
    throw data_error(
        "no landmarks to measure the target registration error with: both sets are empty");
  }
  const Geometry& grid = field.geometry();
  TargetRegistrationError tre;
  std::vector<double> errors, initial;
  for (std::size_t p = 0; p < pairs.ids.size(); ++p) {
    LandmarkError e;
    e.id = pairs.ids[p];
    e.fixed = pairs.fixed[p];
    e.moving = pairs.moving[p];
    e.mapped = transform::map_point(field, e.fixed);
    e.error_mm = (e.mapped - e.moving).norm();
    e.initial_mm = (e.fixed - e.moving).norm();
    e.inside_field = grid.contains_index(grid.world_to_index(e.fixed));
    if (!e.inside_field) ++tre.outside_field;
    errors.push_back(e.error_mm);
    initial.push_back(e.initial_mm);
    tre.points.push_back(e);
  }
  tre.mean_mm = mean(errors);
  tre.max_mm = *std::max_element(errors.begin(), errors.end());
  tre.median_mm = percentile(errors, 50.0);
  tre.p95_mm = percentile(std::move(errors), 95.0);
  tre.initial_mean_mm = mean(initial);
  return tre;
}

}  // namespace modir::evaluate
