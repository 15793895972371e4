#pragma once

#include "modir/objective/similarity/similarity.h"

namespace modir::objective {

/// Sum of squared differences, as a weighted mean divided by the variance of the fixed image
/// (so 1 means "as different as a constant guess"; scanners' HU scales cancel):
///   E = sum_i q_i d_i^2 / (K var),  K = sum_i q_i,  d = warped - fixed,
/// with q the voxel weights; dE/dq_i = (d_i^2 / var - E) / K. var is the fixed image's weighted
/// variance under the weights of the first evaluation on that image.
/// For images of the same modality and calibration (CT to CT).
class SumOfSquaredDifferences final : public Similarity {
 public:
  std::string name() const override { return "ssd"; }
  double evaluate(const Image<float>& fixed, const Image<float>& warped,
                  const VoxelWeights* weights, Image<float>* dE_dwarped,
                  Image<float>* dE_dweight = nullptr) override;

 private:
  const float* variance_of_ = nullptr;  ///< the fixed buffer `variance_` was computed for
  double variance_ = 1.0;
};

}  // namespace modir::objective
