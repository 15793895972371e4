#pragma once

#include "modir/objective/similarity/similarity.h"

namespace modir::objective {

/// Sum of squared differences, as a mean over the mask divided by the variance of the fixed
/// image there (so 1 means "as different as a constant guess"; scanners' HU scales cancel).
/// For images of the same modality and calibration (CT to CT).
class SumOfSquaredDifferences final : public Similarity {
 public:
  std::string name() const override { return "ssd"; }
  double evaluate(const Image<float>& fixed, const Image<float>& warped, const Mask* mask,
                  Image<float>* dE_dwarped) override;

 private:
  const float* variance_of_ = nullptr;  ///< the fixed buffer `variance_` was computed for
  double variance_ = 1.0;
};

}  // namespace modir::objective
