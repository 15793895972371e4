#pragma once

// Metal in a CT scan for segmentation QC (issue 14). A hip replacement, a fixation plate or a
// spinal rod is denser than any tissue and casts streaks a network trained without it has never
// seen: on phantom scans with hip replacements (bench/segmentation, set "metal") the shipped
// model's femoral heads fell from Dice 0.92-0.95 to 0.65-0.88 while test-time augmentation still
// agreed with itself. An organ whose predicted outline holds or touches a sizeable share of metal
// is, in part, an implant: its outline there is a guess.

#include <cstdint>
#include <vector>

#include "modir/core/hounsfield.h"
#include "modir/core/image.h"
#include "modir/learn/plan.h"

namespace modir::learn {

struct MetalOptions {
  float threshold_hu = kMetalHu;  ///< voxels at or above this are metal (core/hounsfield.h)
  double reach_mm = 3.0;          ///< metal this close to an organ's voxels counts as the organ's
};

struct MetalFinding {
  double total_ml = 0.0;              ///< metal anywhere in the scan
  std::vector<double> near_class_ml;  ///< per class of `classes`: metal within reach of it
};

/// Finds the metal of a CT (HU) and, per class of the predicted `labels` (on the image's grid),
/// how much of it lies within `reach_mm` of that class's voxels (physical distance, spacing
/// honoured).
MetalFinding find_metal(const Image<float>& image, const LabelMap& labels,
                        const std::vector<LabelClass>& classes, const MetalOptions& options = {});

}  // namespace modir::learn
