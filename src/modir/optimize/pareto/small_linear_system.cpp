#include "modir/optimize/pareto/small_linear_system.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace modir::optimize::pareto {

std::optional<std::vector<double>> solve_small_linear_system(std::vector<std::vector<double>> a,
                                                             std::vector<double> b,
                                                             double relative_pivot_tolerance) {
  const std::size_t n = b.size();
  double scale = 0.0;
  for (const auto& row : a)
    for (const double v : row) scale = std::max(scale, std::abs(v));
  for (std::size_t col = 0; col < n; ++col) {
    std::size_t pivot = col;
    for (std::size_t r = col + 1; r < n; ++r)
      if (std::abs(a[r][col]) > std::abs(a[pivot][col])) pivot = r;
    // Written so that NaN entries also count as singular.
    if (!(std::abs(a[pivot][col]) > relative_pivot_tolerance * scale)) return std::nullopt;
    std::swap(a[pivot], a[col]);
    std::swap(b[pivot], b[col]);
    for (std::size_t r = col + 1; r < n; ++r) {
      const double factor = a[r][col] / a[col][col];
      for (std::size_t c = col; c < n; ++c) a[r][c] -= factor * a[col][c];
      b[r] -= factor * b[col];
    }
  }
  std::vector<double> x(n);
  for (std::size_t col = n; col-- > 0;) {
    double v = b[col];
    for (std::size_t c = col + 1; c < n; ++c) v -= a[col][c] * x[c];
    x[col] = v / a[col][col];
  }
  return x;
}

}  // namespace modir::optimize::pareto
