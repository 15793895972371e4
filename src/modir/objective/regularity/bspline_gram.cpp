#include "modir/objective/regularity/bspline_gram.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "modir/core/error.h"
#include "modir/core/parallel.h"

namespace modir::objective {

namespace {

// 4-point Gauss-Legendre rule on [-1, 1]: exact for polynomials up to degree 7.
constexpr double kGaussNodes[4] = {-0.86113631159405257522, -0.33998104358485626480,
                                   0.33998104358485626480, 0.86113631159405257522};
constexpr double kGaussWeights[4] = {0.34785484513745385737, 0.65214515486254614263,
                                     0.65214515486254614263, 0.34785484513745385737};

void check_order(int order) {
  if (order < 0 || order > 2) {
    throw usage_error("cubic B-spline derivative order {} is not 0, 1 or 2", order);
  }
}

}  // namespace

double cubic_bspline(int order, double t) {
  check_order(order);
  const double a = std::abs(t);
  if (a >= 2.0) return 0.0;
  const double sign = t < 0.0 ? -1.0 : 1.0;
  const bool centre = a < 1.0;
  const double r = 2.0 - a;
  switch (order) {
    case 0: return centre ? 2.0 / 3.0 - a * a + 0.5 * a * a * a : r * r * r / 6.0;
    case 1: return centre ? sign * (-2.0 * a + 1.5 * a * a) : -sign * 0.5 * r * r;
    default: return centre ? -2.0 + 3.0 * a : r;
  }
}

GramSequence bspline_gram(int m, int n) {
  check_order(m);
  check_order(n);
  GramSequence g{};
  for (int d = -kGramRadius; d <= kGramRadius; ++d) {
    // Both factors are polynomials on every unit interval between integer knots, so the rule
    // is exact interval by interval; B^(m) vanishes outside [-2, 2].
    double sum = 0.0;
    for (int interval = -2; interval < 2; ++interval) {
      for (int q = 0; q < 4; ++q) {
        const double t = interval + 0.5 * (kGaussNodes[q] + 1.0);
        sum += 0.5 * kGaussWeights[q] * cubic_bspline(m, t) * cubic_bspline(n, t - d);
      }
    }
    g[static_cast<std::size_t>(d + kGramRadius)] = sum;
  }
  return g;
}

void add_gram_pass(const GramSequence& g, int axis, double scale, const Size3& control_size,
                   int components, std::span<const double> in, std::span<double> out) {
  const std::int64_t nx = control_size[0], ny = control_size[1], nz = control_size[2];
  const auto count = static_cast<std::size_t>(nx * ny * nz * components);
  if (axis < 0 || axis > 2 || in.size() != count || out.size() != count) {
    throw data_error("Gram pass: axis {} or buffer sizes {} and {} do not fit a {}x{}x{}x{} grid",
                     axis, in.size(), out.size(), nx, ny, nz, components);
  }
  const std::int64_t row_length = nx * components;  // one x row of values, contiguous
  const std::int64_t axis_stride = axis == 0   ? components
                                   : axis == 1 ? row_length
                                               : row_length * ny;
  const double* source = in.data();
  double* target = out.data();
  auto filter_slice = [&](std::int64_t z) {
    for (std::int64_t y = 0; y < ny; ++y) {
      const std::int64_t row = (z * ny + y) * row_length;
      double* out_row = target + row;
      if (axis == 0) {
        for (std::int64_t x = 0; x < nx; ++x) {
          const std::int64_t first = std::max<std::int64_t>(-kGramRadius, -x);
          const std::int64_t last = std::min<std::int64_t>(kGramRadius, nx - 1 - x);
          const double* centre = source + row + x * components;
          for (int c = 0; c < components; ++c) {
            double sum = 0.0;
            for (std::int64_t d = first; d <= last; ++d) {
              sum += g[static_cast<std::size_t>(d + kGramRadius)] * centre[d * components + c];
            }
            out_row[x * components + c] += scale * sum;
          }
        }
      } else {
        // Along y or z the taps are the same for the whole row: add shifted rows, which the
        // compiler vectorises.
        const std::int64_t along = axis == 1 ? y : z;
        const std::int64_t length = control_size[static_cast<std::size_t>(axis)];
        const std::int64_t first = std::max<std::int64_t>(-kGramRadius, -along);
        const std::int64_t last = std::min<std::int64_t>(kGramRadius, length - 1 - along);
        for (std::int64_t d = first; d <= last; ++d) {
          const double w = scale * g[static_cast<std::size_t>(d + kGramRadius)];
          const double* in_row = source + row + d * axis_stride;
          for (std::int64_t e = 0; e < row_length; ++e) out_row[e] += w * in_row[e];
        }
      }
    }
  };
  // Control grids are often small; there, starting threads costs more than the pass.
  constexpr std::size_t kSmallestParallelPass = std::size_t{1} << 15;
  if (count < kSmallestParallelPass) {
    for (std::int64_t z = 0; z < nz; ++z) filter_slice(z);
  } else {
    parallel_for_slices(nz, filter_slice);
  }
}

void validate_control_grid(std::string_view term, const Size3& control_size, double spacing_mm,
                           const Mat3& direction, double domain_volume_mm3) {
  const std::string name(term);
  for (const std::int64_t n : control_size) {
    if (n <= 0) {
      throw usage_error("{}: control grid {}x{}x{} has an empty axis", name, control_size[0],
                        control_size[1], control_size[2]);
    }
  }
  if (!std::isfinite(spacing_mm) || spacing_mm <= 0.0) {
    throw usage_error("{}: control point spacing {} mm must be finite and positive", name,
                      spacing_mm);
  }
  if (!std::isfinite(domain_volume_mm3) || domain_volume_mm3 <= 0.0) {
    throw usage_error("{}: domain volume {} mm^3 must be finite and positive", name,
                      domain_volume_mm3);
  }
  if ((direction.transposed() * direction).max_abs_difference(Mat3::identity()) > 1e-4) {
    throw usage_error("{}: the control grid's direction cosines are not orthonormal", name);
  }
}

}  // namespace modir::objective
