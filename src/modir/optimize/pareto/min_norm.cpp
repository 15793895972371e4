#include "modir/optimize/pareto/min_norm.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <utility>

#include "modir/core/error.h"
#include "modir/optimize/pareto/small_linear_system.h"

namespace modir::optimize::pareto {

namespace {

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
    std::vector<double> rhs(m + 1, 0.0);
    rhs[m] = 1.0;
    const auto solution = solve_small_linear_system(std::move(kkt), std::move(rhs), 1e-13);
    if (!solution) continue;
    const std::vector<double>& y = *solution;
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
