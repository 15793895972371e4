#include "modir/optimize/pareto/dominance.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

#include "modir/optimize/pareto/small_linear_system.h"

namespace modir::optimize::pareto {
namespace {

void require_same_dimension(const Point& a, const Point& b) {
  if (a.size() != b.size()) {
    throw std::invalid_argument("pareto: points with " + std::to_string(a.size()) + " and " +
                                std::to_string(b.size()) + " objectives cannot be compared");
  }
}

double sum_of(const Point& p) {
  return std::accumulate(p.begin(), p.end(), 0.0);
}

// For each objective, the index of the point minimising it (ties: smaller sum, then first).
std::vector<std::size_t> extreme_indices(const std::vector<Point>& points) {
  const std::size_t d = points.front().size();
  std::vector<std::size_t> extremes(d, 0);
  for (std::size_t k = 0; k < d; ++k) {
    for (std::size_t i = 1; i < points.size(); ++i) {
      const Point& best = points[extremes[k]];
      if (points[i][k] < best[k] || (points[i][k] == best[k] && sum_of(points[i]) < sum_of(best))) {
        extremes[k] = i;
      }
    }
  }
  return extremes;
}

// The normal w of the hyperplane {p : w.p = 1} through the rows; empty when the rows do not define
// such a plane.
std::vector<double> plane_through(std::vector<std::vector<double>> rows) {
  const std::size_t d = rows.size();
  return solve_small_linear_system(std::move(rows), std::vector<double>(d, 1.0), 1e-12)
      .value_or(std::vector<double>{});
}

std::size_t closest_to_origin(const std::vector<Point>& points) {
  std::size_t best = 0;
  double best_squared = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < points.size(); ++i) {
    const double squared =
        std::inner_product(points[i].begin(), points[i].end(), points[i].begin(), 0.0);
    if (squared < best_squared) {
      best_squared = squared;
      best = i;
    }
  }
  return best;
}

}  // namespace

bool dominates(const Point& a, const Point& b) {
  require_same_dimension(a, b);
  bool strictly_better_somewhere = false;
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (a[k] > b[k]) return false;
    if (a[k] < b[k]) strictly_better_somewhere = true;
  }
  return strictly_better_somewhere;
}

std::vector<std::size_t> non_dominated_indices(const std::vector<Point>& points) {
  std::vector<std::size_t> kept;
  for (std::size_t i = 0; i < points.size(); ++i) {
    bool keep = true;
    for (std::size_t j = 0; j < points.size() && keep; ++j) {
      if (j == i) continue;
      keep = !dominates(points[j], points[i]) && !(j < i && points[j] == points[i]);
    }
    if (keep) kept.push_back(i);
  }
  return kept;
}

std::size_t knee_index(const std::vector<Point>& points) {
  if (points.empty()) throw std::invalid_argument("pareto: the knee of an empty front");
  for (const Point& p : points) require_same_dimension(p, points.front());
  if (points.front().empty()) throw std::invalid_argument("pareto: points without objectives");

  std::vector<std::vector<double>> extremes;
  for (std::size_t i : extreme_indices(points)) extremes.push_back(points[i]);
  const std::vector<double> normal = plane_through(std::move(extremes));
  if (normal.empty()) return closest_to_origin(points);

  // Signed distance to the plane w.p = 1, positive on the origin's side (where w.p < 1).
  const double normal_length =
      std::sqrt(std::inner_product(normal.begin(), normal.end(), normal.begin(), 0.0));
  std::size_t knee = 0;
  double furthest = -std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < points.size(); ++i) {
    const double w_dot_p = std::inner_product(normal.begin(), normal.end(), points[i].begin(), 0.0);
    const double distance = (1.0 - w_dot_p) / normal_length;
    if (distance > furthest) {
      furthest = distance;
      knee = i;
    }
  }
  // Distances at rounding level mean the points lie on the plane: no knee stands out.
  if (!(furthest > 1e-12)) return closest_to_origin(points);
  return knee;
}

}  // namespace modir::optimize::pareto
