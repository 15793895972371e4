#include "modir/evaluate/field_error.h"

#include <algorithm>
#include <vector>

#include "modir/core/error.h"
#include "modir/core/statistics.h"

namespace modir::evaluate {

FieldError field_error(const DisplacementField& u, const DisplacementField& truth,
                       const LabelMap* region) {
  if (!u.geometry().same_grid(truth.geometry())) {
    throw data_error("field error: the field and the true field are not on one grid");
  }
  if (region != nullptr && !region->geometry().same_grid(u.geometry())) {
    throw data_error("field error: the region is not on the field's grid");
  }
  std::vector<double> errors;
  errors.reserve(static_cast<std::size_t>(u.voxel_count()));
  for (std::int64_t v = 0; v < u.voxel_count(); ++v) {
    if (region != nullptr && region->data()[v] == 0) continue;
    errors.push_back((u.data()[v] - truth.data()[v]).cast<double>().norm());
  }
  if (errors.empty()) throw data_error("field error: the region holds no voxel");
  FieldError out;
  out.voxels = static_cast<std::int64_t>(errors.size());
  out.mean_mm = mean(errors);
  out.max_mm = *std::max_element(errors.begin(), errors.end());
  out.p95_mm = percentile(std::move(errors), 95.0);
  return out;
}

}  // namespace modir::evaluate
