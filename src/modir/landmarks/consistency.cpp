#include "modir/landmarks/consistency.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <Eigen/Dense>

#include "modir/core/parallel.h"
#include "modir/core/statistics.h"

namespace modir::landmarks {

namespace {

// The median (0 for none): the scale of robust fits.
double median_of(const std::vector<double>& values) {
  return values.empty() ? 0.0 : median(values);
}

}  // namespace

Vec3d predict_displacement(const Vec3d& point, const std::vector<Vec3d>& fixed,
                           const std::vector<Vec3d>& displacement, const std::vector<bool>& usable,
                           std::size_t exclude, const ConsistencyOptions& options) {
  std::vector<std::pair<double, std::size_t>> near;
  for (std::size_t j = 0; j < fixed.size(); ++j) {
    if (j == exclude || !usable[j]) continue;
    const Vec3d d = fixed[j] - point;
    near.push_back({d.dot(d), j});
  }
  if (near.empty()) return {0, 0, 0};
  const std::size_t k = std::min(options.neighbours, near.size());
  std::partial_sort(near.begin(), near.begin() + std::ptrdiff_t(k), near.end());
  near.resize(k);
  if (k < 4) {
    Vec3d median;
    for (int a = 0; a < 3; ++a) {
      std::vector<double> c;
      for (const auto& [d2, j] : near) c.push_back(displacement[j][a]);
      median[a] = median_of(c);
    }
    return median;
  }
  // Gaussian weights with the farthest neighbour at two standard deviations.
  const double sigma2 = std::max(near.back().first / 4.0, 1.0);
  std::vector<double> distance_weight(k), robust(k, 1.0);
  for (std::size_t n = 0; n < k; ++n) distance_weight[n] = std::exp(-0.5 * near[n].first / sigma2);
  Eigen::Matrix<double, 4, 3> coefficients = Eigen::Matrix<double, 4, 3>::Zero();
  for (int iteration = 0; iteration < 4; ++iteration) {
    Eigen::Matrix4d normal = Eigen::Matrix4d::Zero();
    Eigen::Matrix<double, 4, 3> rhs = Eigen::Matrix<double, 4, 3>::Zero();
    double spread = 0.0, total = 0.0;
    for (std::size_t n = 0; n < k; ++n) {
      const std::size_t j = near[n].second;
      const Vec3d r = fixed[j] - point;
      const Eigen::Vector4d row(1.0, r.x, r.y, r.z);
      const double w = distance_weight[n] * robust[n];
      normal += w * row * row.transpose();
      for (int a = 0; a < 3; ++a) rhs.col(a) += w * displacement[j][a] * row;
      spread += w * r.dot(r);
      total += w;
    }
    if (total <= 0.0) break;
    // The ridge: 10 % of the weighted spread of positions on the affine (not the translation).
    const double ridge = 0.1 * spread / 3.0 + 1e-6;
    for (int a = 1; a < 4; ++a) normal(a, a) += ridge;
    coefficients = normal.ldlt().solve(rhs);
    // Tukey biweights from the residuals of this fit.
    std::vector<double> residuals(k);
    for (std::size_t n = 0; n < k; ++n) {
      const std::size_t j = near[n].second;
      const Vec3d r = fixed[j] - point;
      const Eigen::Vector4d row(1.0, r.x, r.y, r.z);
      const Eigen::Vector3d fit = coefficients.transpose() * row;
      residuals[n] =
          (Eigen::Vector3d(displacement[j].x, displacement[j].y, displacement[j].z) - fit).norm();
    }
    const double scale = std::max(1.0, 1.4826 * median_of(residuals));
    const double c = 4.685 * scale;
    for (std::size_t n = 0; n < k; ++n) {
      const double u = residuals[n] / c;
      robust[n] = u < 1.0 ? (1 - u * u) * (1 - u * u) : 0.0;
    }
  }
  return {coefficients(0, 0), coefficients(0, 1), coefficients(0, 2)};
}

std::size_t count_in_group(const std::vector<bool>& usable, const std::vector<int>& groups,
                           int group, std::size_t exclude) {
  std::size_t count = 0;
  for (std::size_t j = 0; j < usable.size(); ++j)
    if (j != exclude && usable[j] && groups[j] == group) ++count;
  return count;
}

std::vector<bool> same_group(const std::vector<bool>& usable, const std::vector<int>& groups,
                             int group, std::size_t exclude, std::size_t minimum) {
  if (group <= 0 || count_in_group(usable, groups, group, exclude) < minimum) return usable;
  std::vector<bool> narrowed(usable.size(), false);
  for (std::size_t j = 0; j < usable.size(); ++j)
    narrowed[j] = j != exclude && usable[j] && groups[j] == group;
  return narrowed;
}

Vec3d predict_in_organ(const Vec3d& point, const std::vector<Vec3d>& fixed,
                       const std::vector<Vec3d>& displacement, const std::vector<bool>& usable,
                       const std::vector<int>* groups, int group, std::size_t exclude,
                       const std::optional<Vec3d>& outlines, const ConsistencyOptions& options,
                       bool* held_to_outlines) {
  const bool own_organ_few =
      groups && group > 0 && count_in_group(usable, *groups, group, exclude) < kMinimumGroupMatches;
  const bool by_outlines = own_organ_few && outlines.has_value();
  if (held_to_outlines) *held_to_outlines = by_outlines;
  if (by_outlines) return *outlines;
  return predict_displacement(
      point, fixed, displacement,
      groups ? same_group(usable, *groups, group, exclude, kMinimumGroupMatches) : usable, exclude,
      options);
}

ConsistencyResult check_consistency(const std::vector<Vec3d>& fixed,
                                    const std::vector<Vec3d>& moving,
                                    const ConsistencyOptions& options,
                                    const std::vector<int>* groups,
                                    const std::vector<std::optional<Vec3d>>* priors) {
  const std::size_t n = fixed.size();
  std::vector<Vec3d> displacement(n);
  for (std::size_t i = 0; i < n; ++i) displacement[i] = moving[i] - fixed[i];
  ConsistencyResult result;
  result.consistent.assign(n, true);
  result.residual_mm.assign(n, 0.0);
  // Whether a match was held to its organ's outlines rather than to other matches.
  std::vector<char> by_outlines(n, 0);
  for (int round = 0; round < std::max(1, options.rounds); ++round) {
    const std::vector<bool> usable = result.consistent;
    parallel_for(std::int64_t(n), [&](std::int64_t i) {
      const std::size_t s = std::size_t(i);
      bool held = false;
      const Vec3d predicted =
          predict_in_organ(fixed[s], fixed, displacement, usable, groups, groups ? (*groups)[s] : 0,
                           s, priors ? (*priors)[s] : std::nullopt, options, &held);
      by_outlines[s] = held;
      result.residual_mm[s] = (displacement[s] - predicted).norm();
    });
    std::vector<double> kept;
    for (std::size_t i = 0; i < n; ++i)
      if (usable[i] && !by_outlines[i]) kept.push_back(result.residual_mm[i]);
    result.tolerance_mm =
        std::max(options.min_tolerance_mm, options.spread_factor * 1.4826 * median_of(kept));
    result.tolerance_mm = std::min(result.tolerance_mm, options.max_tolerance_mm);
    const double outline_tolerance = std::max(result.tolerance_mm, options.outline_tolerance_mm);
    for (std::size_t i = 0; i < n; ++i)
      result.consistent[i] =
          result.residual_mm[i] <= (by_outlines[i] ? outline_tolerance : result.tolerance_mm);
  }
  return result;
}

}  // namespace modir::landmarks
