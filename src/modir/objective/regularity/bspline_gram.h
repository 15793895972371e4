#pragma once

#include <array>
#include <span>
#include <string_view>

#include "modir/core/geometry.h"
#include "modir/core/vec.h"

namespace modir::objective {

/// Offsets d = -kGramRadius..kGramRadius at which two cubic B-splines (support 4) overlap.
inline constexpr int kGramRadius = 3;
/// A Gram sequence, stored as g[d + kGramRadius].
using GramSequence = std::array<double, 2 * kGramRadius + 1>;

/// B^(order)(t) of the centred uniform cubic B-spline (support [-2, 2]), order 0, 1 or 2.
double cubic_bspline(int order, double t);

/// g[d] = integral over R of B^(m)(t) B^(n)(t - d) dt, d = -3..3, m and n in {0, 1, 2}.
///
/// These are the exact inner products of the derivatives of two unit-spaced basis functions
/// whose knots differ by d. Quadratic regularisers of a B-spline displacement (bending,
/// linear elasticity) are sums of tensor products of them, so they are exact in the
/// coefficients with no sampling of the field. Computed by 4-point Gauss-Legendre on each
/// unit knot interval, which is exact for the degree <= 6 products.
GramSequence bspline_gram(int m, int n);

/// One separable pass of a Gram matrix over a control grid: for every control point k,
/// out[k] += scale * sum_d g[d] * in[k + d * e_axis], where coefficients beyond the grid are
/// zero (the displacement is exactly the spline of the grid's coefficients). Data hold
/// `components` interleaved values per control point, x fastest, then y, then z. Parallel over
/// z slices of `out` (serial for small grids), each written by one thread, so the result does
/// not depend on the thread count. `in` and `out` must not overlap.
void add_gram_pass(const GramSequence& g, int axis, double scale, const Size3& control_size,
                   int components, std::span<const double> in, std::span<double> out);

/// Throws a usage error naming `term` unless the control grid is non-empty, the spacing and
/// the domain volume are finite and positive, and `direction` is a rotation or reflection: the
/// regularisers are only rotation invariant for orthonormal axes.
void validate_control_grid(std::string_view term, const Size3& control_size, double spacing_mm,
                           const Mat3& direction, double domain_volume_mm3);

}  // namespace modir::objective
