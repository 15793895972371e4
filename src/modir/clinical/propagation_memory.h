#pragma once

// How much memory `modir propagate` will need, said before it reads a voxel: a propagation that
// does not fit is refused with the estimate, instead of dying part-way (or printed by --dry-run).

#include <string>

#include "modir/clinical/propagation_run.h"
#include "modir/core/geometry.h"
#include "modir/learn/plan.h"

namespace modir::clinical {

struct PropagationMemoryEstimate {
  double peak_mib = 0.0;
  double prediction_mib = 0.0;    ///< the daily organs predicted (with QC when asked)
  double registration_mib = 0.0;  ///< the registration (or front), or the matcher if larger
  double structures_mib = 0.0;    ///< every structure's mask and its warped copy
  int structures = 0;
  /// What would lower it most, for the message of a run that does not fit.
  std::string how_to_reduce;
};

/// The peak resident memory of a propagation onto a daily scan of grid `daily` of `structures`
/// drawn on a planning scan of grid `planning`, with the segmentation model's `plan`. The
/// prediction's and the registration's own estimates (learn/predict_memory.h,
/// register/memory_estimate.h; the organs counted as the model's classes, an upper bound), the
/// larger of the two phases with LibTorch still resident during the registration, plus the
/// structures, which are held throughout: one byte a planning voxel for each mask and four a
/// daily voxel for each warped fraction. Measured on small and medium phantom patients in DICOM
/// (docs/clinical.md, "Memory").
PropagationMemoryEstimate estimate_propagation_memory(const Geometry& daily,
                                                      const Geometry& planning, int structures,
                                                      const PropagationRequest& request,
                                                      const learn::SegmentationPlan& plan);

/// The same from the request's files: the scans' headers (the series a run would choose) and the
/// structure set's structure count; nothing else is read.
PropagationMemoryEstimate estimate_propagation_memory(const PropagationRequest& request);

}  // namespace modir::clinical
