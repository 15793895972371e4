#pragma once

#include <cstdint>

#include "modir/core/image.h"

namespace modir::evaluate {

/// How far a displacement field is from the true one, |u(x) - u_true(x)| in mm, over a region of
/// the fixed grid: the error of the whole field, not only where landmarks happen to be.
struct FieldError {
  std::int64_t voxels = 0;
  double mean_mm = 0.0;
  double p95_mm = 0.0;
  double max_mm = 0.0;
};

/// Over the voxels where `region` (may be null: every voxel) is nonzero. Both fields and the
/// region must share one grid (a data error otherwise); an empty region is a data error too.
FieldError field_error(const DisplacementField& u, const DisplacementField& truth,
                       const LabelMap* region);

}  // namespace modir::evaluate
