#pragma once

#include <memory>

#include "modir/objective/similarity/similarity.h"
#include "modir/objective/similarity/window_sum.h"

namespace modir::objective {

/// Local normalised cross-correlation: E = 1 - weighted mean of cc(x), where cc is the
/// squared correlation coefficient of fixed and warped in a window around x:
///   cc = cov^2 / ((var_F + eps) (var_W + eps)).
/// Robust to local intensity changes (contrast, scanner offsets, bias) and the default for
/// CT-CT. Intensities are first standardised by global constants (the fixed image's and the
/// first warped image's mean and standard deviation), which keeps float window sums accurate.
/// eps is set per image to 4x its noise variance (robust estimate from neighbour differences;
/// at least 1e-3 in standardised units): windows that hold only noise (urine, fat, muscle) then
/// barely count, so the deformation does not chase the correlation of two unrelated noise
/// patterns, and flat regions (air) never divide by zero.
///
/// The gradient is exact: with a = 2 q cov / (PQ) and b = a cov / Q per window (q the voxel's
/// weight), dE/dW(y) is
///   -(1/M) [F(y) S(a/N)(y) - W(y) S(b/N)(y) + S((b mean_W - a mean_F)/N)(y)],
/// S the window sum (its own transpose), N the window weight and M the total weight. A voxel's
/// weight only scales its own cc (the windows' statistics use every voxel), so
/// dE/dq(x) = -(cc(x) - (1 - E)) / M.
class LocalNcc final : public Similarity {
 public:
  LocalNcc(WindowSum::Kind window, double radius_mm)
      : window_kind_(window), radius_mm_(radius_mm) {}

  std::string name() const override;
  double evaluate(const Image<float>& fixed, const Image<float>& warped,
                  const VoxelWeights* weights, Image<float>* dE_dwarped,
                  Image<float>* dE_dweight = nullptr) override;

 private:
  void prepare_fixed(const Image<float>& fixed);

  WindowSum::Kind window_kind_;
  double radius_mm_;
  std::unique_ptr<WindowSum> window_;
  const float* prepared_for_ = nullptr;
  double fixed_mean_ = 0, fixed_scale_ = 1, warped_mean_ = 0, warped_scale_ = 0;
  double fixed_epsilon_ = 1e-3, warped_epsilon_ = 1e-3;
  Image<float> fixed_standardised_, fixed_local_mean_, fixed_local_variance_;
  Image<float> local_mean_, local_variance_, local_covariance_;  // scratch for the warped image
};

}  // namespace modir::objective
