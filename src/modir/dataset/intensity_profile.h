#pragma once

#include <vector>

#include "modir/core/image.h"

namespace modir::dataset {

/// The soft-tissue intensities of one scan: where its fat and muscle peaks sit and how noisy it
/// is. Computed from the image alone (labels may be the thing that is wrong).
struct IntensityProfile {
  /// Histogram of voxels in [kHistogramLow, kHistogramHigh) HU in bins of kHistogramBin HU,
  /// normalised to sum 1 (all zero when no voxel falls in the range).
  std::vector<double> histogram;
  /// Noise standard deviation in HU: robust spread (MAD) of differences of neighbouring voxels
  /// in soft tissue, divided by sqrt(2). Texture and edges barely move a median.
  double noise_sigma_hu = 0.0;
  /// Volume of the voxels at or above kMetalHu (core/hounsfield.h): an implant, or markers.
  double metal_ml = 0.0;
};

inline constexpr double kHistogramLow = -400.0;
inline constexpr double kHistogramHigh = 400.0;
inline constexpr double kHistogramBin = 2.0;

IntensityProfile intensity_profile(const Image<float>& image);

/// The shift s (HU) that best lines `histogram` up with `reference` (histogram(h) ~ reference(h -
/// s)), searched over +-max_shift by cross-correlation with sub-bin refinement. Scanner offsets
/// move every tissue peak together, so this measures the offset whatever the fat/muscle mix.
double histogram_shift(const std::vector<double>& histogram, const std::vector<double>& reference,
                       double max_shift_hu = 200.0);

}  // namespace modir::dataset
