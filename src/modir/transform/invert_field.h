#pragma once

#include <cstdint>

#include "modir/core/geometry.h"
#include "modir/core/image.h"

namespace modir::transform {

struct InversionOptions {
  int max_iterations = 30;     ///< Newton steps per point
  double tolerance_mm = 1e-3;  ///< stop when |x + u(x) - y| is below this
};

/// How far a pair of fields is from being each other's inverse, over the points measured.
struct InverseResidual {
  double mean_mm = 0.0;
  double p95_mm = 0.0;
  double max_mm = 0.0;
  std::int64_t points = 0;  ///< points measured
};

struct InversionResult {
  DisplacementField inverse;  ///< v on the requested grid: y -> y + v(y)
  /// |v(y) + u(y + v(y))| over the points of v's grid whose preimage lies inside u's grid.
  InverseResidual residual;
  /// Points of v's grid whose preimage y + v(y) lies outside u's grid, where u is only its edge
  /// value continued: there v inverts that continuation and means little.
  std::int64_t outside_points = 0;
  /// Points where Newton's method stopped above the tolerance (a fold or a near-singular
  /// Jacobian of u); v there is the best point found.
  std::int64_t unconverged_points = 0;
};

/// One point's inverse: the x with x + u(x) = y (Newton's method as below, started at y - u(y)).
struct InversePoint {
  Vec3d x;
  double residual_mm = 0.0;  ///< |x + u(x) - y| reached
  bool inside = true;        ///< x lies inside u's grid (else u is only its edge value there)
};
InversePoint invert_point(const DisplacementField& u, const Vec3d& y,
                          const InversionOptions& options = {});

/// The inverse of the displacement field u (x -> x + u(x), u on its own grid) on `grid`: for every
/// point y of `grid`, v(y) with y + v(y) + u(y + v(y)) = y, found by Newton's method on
/// x + u(x) = y (u interpolated trilinearly, its Jacobian from the same interpolant), started at
/// y - u(y) and damped by halving steps that do not reduce the residual. u is constant beyond its
/// outer voxel centres, as everywhere in modir. Parallel over slices; deterministic.
InversionResult invert_displacement(const DisplacementField& u, const Geometry& grid,
                                    const InversionOptions& options = {});

/// |u(x) + v(x + u(x))| over the voxels x of u's grid whose image x + u(x) lies inside v's grid:
/// how well v undoes u, measured from u's side.
InverseResidual inverse_consistency(const DisplacementField& u, const DisplacementField& v);

}  // namespace modir::transform
