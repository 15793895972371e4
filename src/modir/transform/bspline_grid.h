#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "modir/core/geometry.h"
#include "modir/core/image.h"
#include "modir/transform/affine.h"

namespace modir::transform {

/// A cubic B-spline displacement b(x) = sum_k c_k B((x - p_k) / h), with control points p_k on a
/// regular grid aligned with the axes of a reference image (its direction cosines) and spacing h
/// in mm along every axis.
///
/// Control points sit at frame coordinates (k - padding) * h from the reference image's first
/// voxel centre, measured along its axes. Grids built on the same reference with spacings h and
/// h / 2 therefore nest, and `refined()` halves the spacing exactly (dyadic subdivision): the
/// displacement does not change. Evaluation on any grid with the same direction is separable
/// (three passes of 4-tap filters), and so is its adjoint.
///
/// Coefficients are world-mm LPS vectors, stored flat as (x, y, z) triples, x fastest over the
/// control grid: the layout of the optimiser's parameter vector.
class BSplineGrid {
 public:
  BSplineGrid() = default;
  /// A zero displacement covering every voxel of `reference` with full support.
  BSplineGrid(const Geometry& reference, double spacing_mm);

  /// A zero grid with an explicit layout, as written to transform.json by a previous run.
  static BSplineGrid with_layout(const Geometry& reference, double spacing_mm, const Vec3d& padding,
                                 const Size3& control_size);

  double spacing() const { return spacing_; }
  const Vec3d& padding() const { return padding_; }
  /// The image grid the control grid was laid over (its origin and axes anchor the control points).
  const Geometry& reference() const { return reference_; }
  const Size3& control_size() const { return control_size_; }
  std::size_t control_count() const {
    return static_cast<std::size_t>(control_size_[0] * control_size_[1] * control_size_[2]);
  }
  std::size_t parameter_count() const { return 3 * control_count(); }
  /// The control points as an image geometry (origin at control point 0), for writing and plots.
  Geometry control_geometry() const;

  std::span<double> coefficients() { return coefficients_; }
  std::span<const double> coefficients() const { return coefficients_; }

  /// The same displacement on a grid of half the spacing.
  BSplineGrid refined() const;

  /// b at every voxel centre of `target`, which must share the reference's direction. Parallel
  /// over slices. `out` is resized to `target`. With `affine`, writes T(x) - x + b(x) instead: the
  /// affine displacement is linear along a row, so adding it here costs a few operations per
  /// voxel where a pass of its own would read and write the whole field again.
  void evaluate(std::span<const double> coefficients, const Geometry& target,
                DisplacementField& out, const AffineTransform* affine = nullptr) const;
  /// b at one world point.
  Vec3d evaluate_at(std::span<const double> coefficients, const Vec3d& world) const;
  /// The adjoint of `evaluate`: given dE/db at every voxel of `target` (grid of `dE_db`), the
  /// gradient dE/dc, written to `gradient` (size parameter_count()).
  void adjoint(const DisplacementField& dE_db, std::span<double> gradient) const;

 private:
  Geometry reference_;
  double spacing_ = 0.0;
  Size3 control_size_{0, 0, 0};
  Vec3d padding_{0, 0, 0};  ///< control index of the reference's first voxel, per axis
  std::vector<double> coefficients_;

  friend class BSplineGridAccess;
};

}  // namespace modir::transform
