#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "modir/core/image.h"
#include "modir/transform/affine.h"
#include "modir/transform/bspline_grid.h"

namespace modir::transform {

/// How a flat parameter vector theta becomes a dense displacement field u on one grid (a pyramid
/// level of the fixed image), and the adjoint that turns dE/du into dE/dtheta. Terms only ever
/// see u, so every term works with every parametrisation.
class Parametrisation {
 public:
  explicit Parametrisation(const Geometry& grid) : grid_(grid) {}
  virtual ~Parametrisation() = default;

  const Geometry& grid() const { return grid_; }
  virtual std::size_t parameter_count() const = 0;
  /// u(theta) on grid().
  virtual void field(std::span<const double> theta, DisplacementField& u) = 0;
  /// dE/dtheta from dE/du, for the theta of the latest field() call.
  virtual void adjoint(std::span<const double> theta, const DisplacementField& dE_du,
                       std::span<double> gradient) = 0;

 protected:
  Geometry grid_;
};

/// The affine map T(x) = M (x - c) + c + t about a centre c (the fixed image's centre, which
/// decouples rotation from translation). Rigid: theta = (r * angles about x, y, z in radians,
/// t) with M = Rz Ry Rx; affine: theta = (r * (M - I) row by row, t). The scale r (mm) gives all
/// parameters the units of a displacement, which the optimiser's step length needs.
class AffineParametrisation final : public Parametrisation {
 public:
  enum class Kind { kRigid, kAffine };
  AffineParametrisation(const Geometry& grid, Kind kind, const Vec3d& centre, double radius_mm);

  std::size_t parameter_count() const override { return kind_ == Kind::kRigid ? 6 : 12; }
  void field(std::span<const double> theta, DisplacementField& u) override;
  void adjoint(std::span<const double> theta, const DisplacementField& dE_du,
               std::span<double> gradient) override;

  AffineTransform transform(std::span<const double> theta) const;
  /// Parameters that reproduce `affine` (for rigid: only its translation and the rotation part
  /// of its matrix are representable; the nearest rotation is used).
  std::vector<double> parameters_of(const AffineTransform& affine) const;

 private:
  Kind kind_;
  Vec3d centre_;
  double radius_;
};

/// Fills u(x) = T(x) - x on u's grid.
void affine_field(const AffineTransform& affine, DisplacementField& u);

/// A cubic B-spline displacement after a fixed affine map: x + u(x) = T(x) + b(x).
class BSplineParametrisation final : public Parametrisation {
 public:
  BSplineParametrisation(const Geometry& grid, const BSplineGrid& bspline,
                         const AffineTransform& affine)
      : Parametrisation(grid), bspline_(bspline), affine_(affine) {}

  std::size_t parameter_count() const override { return bspline_.parameter_count(); }
  void field(std::span<const double> theta, DisplacementField& u) override;
  void adjoint(std::span<const double> theta, const DisplacementField& dE_du,
               std::span<double> gradient) override;

 private:
  BSplineGrid bspline_;
  AffineTransform affine_;
};

/// A stationary velocity field v given by a cubic B-spline grid, exponentiated by scaling and
/// squaring, after which the affine map acts: x + u(x) = T(x + exp(v)(x)). Diffeomorphic: the
/// result cannot fold (up to the discretisation of the exponential).
class VelocityParametrisation final : public Parametrisation {
 public:
  /// `differentiable` = false skips keeping the squaring steps the adjoint needs (for writing a
  /// result at full resolution, where they would cost N fields of memory).
  VelocityParametrisation(const Geometry& grid, const BSplineGrid& bspline,
                          const AffineTransform& affine, bool differentiable = true)
      : Parametrisation(grid),
        bspline_(bspline),
        affine_(affine),
        differentiable_(differentiable) {}

  std::size_t parameter_count() const override { return bspline_.parameter_count(); }
  void field(std::span<const double> theta, DisplacementField& u) override;
  void adjoint(std::span<const double> theta, const DisplacementField& dE_du,
               std::span<double> gradient) override;

 private:
  BSplineGrid bspline_;
  AffineTransform affine_;
  bool differentiable_;
  DisplacementField velocity_, displacement_;
  std::vector<DisplacementField> steps_;
};

}  // namespace modir::transform
