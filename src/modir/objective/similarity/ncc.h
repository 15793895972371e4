#pragma once

#include <array>
#include <string>
#include <vector>

#include "modir/objective/similarity/similarity.h"

namespace modir::objective {

/// Global normalised cross-correlation under the voxel weights: E = 1 - NCC with
/// NCC = cov(fixed, warped) / sqrt(var(fixed) * var(warped)), means and moments weighted.
///
/// E is 0 when warped = a * fixed + b with a > 0, about 1 for unrelated images and 2 for inverted
/// ones, and it does not change when either image is scaled by a positive factor or offset, which
/// suits same-modality scans whose intensities are only linearly related (e.g. differently
/// calibrated CBCT against CT).
///
/// When the fixed or the warped image is constant over the mask (variance zero up to rounding),
/// or no voxel has weight, NCC is undefined: E is then 1 with a zero gradient, so an optimiser sees a
/// flat, finite energy instead of NaN.
class NormalizedCrossCorrelation final : public Similarity {
 public:
  std::string name() const override { return "ncc"; }
  double evaluate(const Image<float>& fixed, const Image<float>& warped,
                  const VoxelWeights* weights, Image<float>* dE_dwarped,
                  Image<float>* dE_dweight = nullptr) override;

 private:
  // Partial sums per z slice, reduced in slice order so that the value does not depend on the
  // number of threads. Kept between calls to avoid reallocating every iteration.
  std::vector<std::array<double, 3>> slice_sums_;
};

}  // namespace modir::objective
