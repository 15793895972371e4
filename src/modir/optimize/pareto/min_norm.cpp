#include "modir/optimize/pareto/min_norm.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

#include "modir/core/error.h"

namespace modir::optimize::pareto {

namespace {

// Solves A x = b for a small symmetric system by Gaussian elimination with partial pivoting;
// false when A is singular.
bool solve_small(std::vector<std::vector<double>> a, std::vector<double> b, std::vector<double>& x) {
  const std::size_t n = b.size();
  double scale = 0.0;
  for (const auto& row : a)
    for (const double v : row) scale = std::max(scale, std::abs(v));
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t pivot = c;
    for (std::size_t r = c + 1; r < n; ++r)
      if (std::abs(a[r][c]) > std::abs(a[pivot][c])) pivot = r;
    if (std::abs(a[pivot][c]) <= 1e-13 * scale) return false;
    std::swap(a[c], a[pivot]);
    std::swap(b[c], b[pivot]);
    for (std::size_t r = c + 1; r < n; ++r) {
      const double f = a[r][c] / a[c][c];
      for (std::size_t k = c; k < n; ++k) a[r][k] -= f * a[c][k];
      b[r] -= f * b[c];
    }
  }
  x.assign(n, 0.0);
  for (std::size_t c = n; c-- > 0;) {
    double s = b[c];
    for (std::size_t k = c + 1; k < n; ++k) s -= a[c][k] * x[k];
    x[c] = s / a[c][c];
  }
  return true;
}

double quadratic(const std::vector<std::vector<double>>& g, const std::vector<double>& alpha) {
  double q = 0.0;
  for (std::size_t i = 0; i < alpha.size(); ++i)
    for (std::size_t j = 0; j < alpha.size(); ++j) q += alpha[i] * g[i][j] * alpha[j];
  return q;
}

}  // namespace

std::vector<double> min_norm_weights(const std::vector<std::vector<double>>& gram_in) {
  const std::size_t n = gram_in.size();
  if (n == 0 || n > 16) throw usage_error("min_norm_weights needs 1 to 16 vectors, not {}", n);
  for (const auto& row : gram_in)
    if (row.size() != n) throw usage_error("min_norm_weights: the Gram matrix is not square");
  // The weights do not change when G is scaled; scaling to a unit diagonal maximum keeps the
  // KKT systems (which border G with ones) well conditioned for gradients of any size.
  double largest = 0.0;
  for (std::size_t i = 0; i < n; ++i) largest = std::max(largest, std::abs(gram_in[i][i]));
  std::vector<std::vector<double>> gram = gram_in;
  if (largest > 0 && std::isfinite(largest))
    for (auto& row : gram)
      for (double& v : row) v /= largest;

  std::vector<double> best;
  double best_value = std::numeric_limits<double>::infinity();
  double scale = 0.0;
  for (std::size_t i = 0; i < n; ++i) scale = std::max(scale, std::abs(gram[i][i]));
  const double tolerance = 1e-10 * std::max(scale, std::numeric_limits<double>::min());
  for (unsigned mask = 1; mask < (1u << n); ++mask) {
    std::vector<std::size_t> support;
    for (std::size_t i = 0; i < n; ++i)
      if (mask & (1u << i)) support.push_back(i);
    // Minimise a^T G_S a subject to sum a = 1 through its KKT system [G_S 1; 1^T 0][a; mu] =
    // [0; 1], which stays solvable when G_S is singular (parallel or cancelling vectors).
    const std::size_t m = support.size();
    std::vector<std::vector<double>> kkt(m + 1, std::vector<double>(m + 1, 0.0));
    for (std::size_t i = 0; i < m; ++i) {
      for (std::size_t j = 0; j < m; ++j) kkt[i][j] = gram[support[i]][support[j]];
      kkt[i][m] = kkt[m][i] = 1.0;
    }
    std::vector<double> rhs(m + 1, 0.0), y;
    rhs[m] = 1.0;
    if (!solve_small(kkt, rhs, y)) continue;
    std::vector<double> alpha(n, 0.0);
    bool nonnegative = true;
    for (std::size_t i = 0; i < m; ++i) {
      if (!std::isfinite(y[i])) nonnegative = false;
      alpha[support[i]] = y[i];
      if (y[i] < -1e-12) nonnegative = false;
    }
    if (!nonnegative) continue;
    for (double& v : alpha) v = std::max(v, 0.0);
    const double value = quadratic(gram, alpha);
    // Optimality on the whole simplex: no vertex lowers the quadratic along the edge toward it.
    bool optimal = true;
    for (std::size_t j = 0; j < n && optimal; ++j) {
      double gj = 0.0;
      for (std::size_t i = 0; i < n; ++i) gj += gram[j][i] * alpha[i];
      if (gj < value - tolerance) optimal = false;
    }
    if (optimal && value < best_value) {
      best_value = value;
      best = alpha;
    }
  }
  if (best.empty()) {
    // Only when every sub-system was singular in rounding: the best vertex.
    best.assign(n, 0.0);
    std::size_t k = 0;
    for (std::size_t i = 1; i < n; ++i)
      if (gram[i][i] < gram[k][k]) k = i;
    best[k] = 1.0;
  }
  return best;
}

}  // namespace modir::optimize::pareto
