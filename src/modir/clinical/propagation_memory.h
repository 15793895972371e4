#pragma once

// How much memory `modir propagate` will need, said before it reads a voxel: a propagation that
// does not fit is refused with the estimate, instead of dying part-way (or printed by --dry-run).

#include <string>

#include "modir/clinical/propagation_run.h"
#include "modir/core/geometry.h"
#include "modir/io/rtstruct.h"
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
/// drawn on a planning scan of grid `planning`, with the segmentation model's `plan`: the largest
/// of three phases. The prediction (learn/predict_memory.h, with QC when asked); the
/// registration (register/memory_estimate.h, or the front's, or the landmark matcher's if
/// larger; the organs counted as the model's classes, an upper bound) with what propagate keeps
/// beside it (LibTorch left resident, copies of the scans); the warping, with the field and every
/// structure's warped fraction. Every phase holds the structures' masks on the planning grid, one
/// byte a voxel each; the fractions take one byte a daily voxel each. Measured on small, medium
/// and large phantom patients in DICOM (docs/commands.md, propagate, "Memory").
PropagationMemoryEstimate estimate_propagation_memory(const Geometry& daily,
                                                      const Geometry& planning, int structures,
                                                      const PropagationRequest& request,
                                                      const learn::SegmentationPlan& plan);

/// The same from the request's files: the scans' headers (the series a run would choose) and the
/// structure set's structure count; nothing else is read. With `set`, the structure set already
/// read from request.structures.
PropagationMemoryEstimate estimate_propagation_memory(const PropagationRequest& request,
                                                      const io::RtStructureSet& set);
PropagationMemoryEstimate estimate_propagation_memory(const PropagationRequest& request);

}  // namespace modir::clinical
