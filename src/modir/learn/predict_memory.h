#pragma once

// How much memory `modir segment predict` will need, said before it loads the network or reads a
// voxel: a scan that does not fit is refused with the estimate, instead of dying part-way.

#include "modir/core/geometry.h"
#include "modir/learn/plan.h"

namespace modir::learn {

struct PredictMemoryEstimate {
  double peak_mib = 0.0;
  double scan_megavoxels = 0.0;     ///< the scan's own grid, millions of voxels
  double network_megavoxels = 0.0;  ///< the scan resampled to the plan's spacing
  bool quality_check = false;       ///< QC's three extra predictions included
};

/// The peak resident memory of `segment predict` on a scan of this grid, in MiB: an empirical
/// model, constant + a x scan voxels + b x network-grid voxels, fitted on the shipped pelvis model
/// (3 mm grid, 8 classes, 48x48x32 patches, 16 base channels) with phantom scans of 0.4, 6.3 and
/// 42 million voxels and a real CT of 1.4 (docs/segmentation.md, "Memory"). A model with more
/// classes, larger patches or more channels needs more than this says. `body_outline`: the
/// prediction clears labels outside the patient outline (PredictOptions::body_from_ct), whose
/// work on the scan's grid sets the peak on large scans.
PredictMemoryEstimate estimate_predict_memory(const Geometry& scan, const SegmentationPlan& plan,
                                              bool quality_check, bool body_outline);

}  // namespace modir::learn
