#pragma once

#include <cstdint>

#include "modir/core/image.h"
#include "modir/phantom/anatomy.h"
#include "modir/phantom/deformation.h"
#include "modir/phantom/phantom_options.h"
#include "modir/phantom/random.h"
#include "modir/phantom/variety.h"

namespace modir::phantom {

/// Noise-free CT values and labels of one scan, before acquisition effects.
struct IdealScan {
  Image<float> hu;
  LabelMap labels;
};

/// Scan A: the anatomy seen through the soft deformation, x -> anatomy(soft(x)), together with
/// the exact ground truth u(x) = map(x) - x at every voxel centre.
IdealScan render_fixed(const Anatomy& anatomy, const PhantomDeformation& deformation,
                       const Geometry& grid, DisplacementField& ground_truth);

/// Scan B: the anatomy after the rigid set-up motion, y -> anatomy(rigid^-1(y)).
IdealScan render_moving(const Anatomy& anatomy, const PhantomDeformation& deformation,
                        const Geometry& grid);

/// Scan B's grid: another slice range and in-plane position (truncated field of view), the same
/// spacing and direction. For DeformationLevel::kNone it is scan A's grid.
Geometry moving_scan_grid(Rng& rng, DeformationLevel level, const Geometry& fixed);

/// The scanner: slight Gaussian blur, independent Gaussian noise of `noise_sigma` HU (seeded per
/// slice from `noise_seed`, so thread count does not matter), an intensity offset, rounding to
/// int16 HU clamped to [-1024, 3071].
Image<std::int16_t> acquire(Image<float> hu, double noise_sigma, double offset,
                            std::uint64_t noise_seed);

/// A scanner and protocol of `--variety` (phantom/variety.h).
struct Acquisition {
  Vec3d blur_sigma_mm{0.6, 0.6, 0.8};  ///< kernel in-plane, slice profile along z
  double noise_sigma = 15.0;
  double noise_correlation_mm = 0.0;  ///< the noise is blurred by this and rescaled to its sigma
  double contrast_scale = 1.0;        ///< about 0 HU, for values above -300 HU
  double offset = 0.0;
};
Image<std::int16_t> acquire(Image<float> hu, const Acquisition& scanner, std::uint64_t noise_seed);

/// The acquisition a scan's variety describes; the slice profile's sigma is the slice thickness's
/// FWHM (thickness / 2.355), at least the default 0.8 mm.
Acquisition acquisition_of(const ScanVariety& variety);


}  // namespace modir::phantom
