#pragma once

#include "modir/core/vec.h"

namespace modir::transform {

/// A world-space affine map x -> matrix * x + translation (LPS mm), taking fixed-image points to
/// moving-image points, like every transform in modir.
struct AffineTransform {
  Mat3 matrix = Mat3::identity();
  Vec3d translation{0, 0, 0};

  Vec3d apply(const Vec3d& x) const { return matrix * x + translation; }
  /// The map that does this one and then `after`: after(this(x)).
  AffineTransform then(const AffineTransform& after) const {
    return {after.matrix * matrix, after.matrix * translation + after.translation};
  }
  AffineTransform inverse() const {
    const Mat3 inv = matrix.inverse();
    return {inv, -(inv * translation)};
  }
  bool is_identity(double tolerance = 1e-12) const {
    return matrix.max_abs_difference(Mat3::identity()) <= tolerance &&
           translation.norm() <= tolerance;
  }
};

}  // namespace modir::transform
