#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "modir/core/image.h"

namespace modir::dataset {

/// What a scan looks like, coarsely, in physical space: its intensities smoothed and sampled on
/// a lattice of `step_mm` aligned with the world axes and anchored at the world origin, so two
/// fingerprints of the same patient position line up point for point whatever the voxel grid,
/// the axis order, the file format or the crop. Points outside the scan are NaN.
struct Fingerprint {
  double step_mm = 4.0;
  std::array<std::int64_t, 3> first{0, 0, 0};  ///< lattice index of values[0]: world = index*step
  Size3 size{0, 0, 0};
  std::vector<float> values;  ///< x fastest; NaN outside the scan
  std::vector<float> detail;  ///< values minus their 8 mm blur (see Similarity::detail_ncc)
  std::int64_t valid = 0;     ///< number of values inside the scan
};

/// Clamps to [-1000, 1500] HU (metal and air do not dominate), smooths with a Gaussian of half
/// the step (anti-aliasing; noise averages out) and samples linearly on the lattice.
Fingerprint make_fingerprint(const Image<float>& image, double step_mm = 4.0);

/// How alike two fingerprints are where they overlap.
struct Similarity {
  /// Normalised cross-correlation of the overlapping points (1 = the same content up to a
  /// linear change of intensity, such as another rescale intercept); NaN without overlap.
  double ncc = 0.0;
  /// Correlation of the detail left after removing an 8 mm blur of each fingerprint: anatomy
  /// inside the body rather than the body outline, which every pelvis shares.
  double detail_ncc = 0.0;
  /// Overlapping points as a fraction of the smaller fingerprint's points.
  double overlap = 0.0;
  std::int64_t points = 0;
};

Similarity compare(const Fingerprint& a, const Fingerprint& b);

}  // namespace modir::dataset
