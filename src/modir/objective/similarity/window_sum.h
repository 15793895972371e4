#pragma once

#include <array>
#include <vector>

#include "modir/core/image.h"

namespace modir::objective {

/// The local window of local NCC: a box of (2r+1) voxels per axis, or a Gaussian truncated at
/// 3 sigma, both cut off at the image border (zero padding). Applying it is a separable sum, and
/// because the kernel is symmetric the operator is its own transpose, which the LNCC gradient uses.
class WindowSum {
 public:
  enum class Kind { kBox, kGaussian };
  /// `radius_mm`: the box half-width, or the Gaussian sigma; per axis at least one voxel.
  WindowSum(Kind kind, double radius_mm, const Geometry& grid);

  /// image <- window sum of image (in place; uses a scratch buffer of the image's size).
  void apply(Image<float>& image) const;
  /// The window's total weight at a voxel (the sum of an all-ones image), from per-axis factors.
  double weight(std::int64_t x, std::int64_t y, std::int64_t z) const {
    return axis_weight_[0][static_cast<std::size_t>(x)] *
           axis_weight_[1][static_cast<std::size_t>(y)] *
           axis_weight_[2][static_cast<std::size_t>(z)];
  }

 private:
  Kind kind_;
  Size3 size_;
  std::array<std::vector<double>, 3> kernel_;       ///< taps -r..r per axis
  std::array<std::vector<double>, 3> axis_weight_;  ///< kernel mass inside the image, per index
  mutable std::vector<float> scratch_;

  void apply_box(Image<float>& image) const;
};

}  // namespace modir::objective
