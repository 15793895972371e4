#include "modir/objective/guidance/landmark_term.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "modir/core/error.h"

namespace modir::objective {

LandmarkTerm::LandmarkTerm(std::vector<Vec3d> fixed_points, std::vector<Vec3d> moving_points,
                           const Geometry& level_grid, std::vector<double> weights)
    : fixed_(std::move(fixed_points)),
      moving_(std::move(moving_points)),
      weights_(std::move(weights)),
      grid_(level_grid) {
  if (fixed_.empty() || fixed_.size() != moving_.size()) {
    throw Error(ErrorKind::kData,
                "landmark guidance needs the same non-zero number of fixed and moving points");
  }
  if (!weights_.empty()) {  // empty: the plain mean
    double total = 0.0;
    for (const double w : weights_) {
      if (!(w >= 0.0) || !std::isfinite(w)) {
        throw Error(ErrorKind::kData, "landmark weights must be finite and not negative");
      }
      total += w;
    }
    if (weights_.size() != fixed_.size() || !(total > 0.0)) {
      throw Error(ErrorKind::kData,
                  "landmark guidance needs one weight per pair, and not all of them zero");
    }
    for (double& w : weights_) w /= total;
  }
  const Size3& n = grid_.size;
  for (const Vec3d& p : fixed_) {
    const Vec3d index = grid_.world_to_index(p);
    Stencil s{};
    std::int64_t i0[3], i1[3];
    double f[3];
    for (int a = 0; a < 3; ++a) {
      if (!(index[a] >= -0.5 && index[a] <= double(n[a]) - 0.5)) {
        throw Error(
            ErrorKind::kData,
            fmt::format(
                "fixed landmark at ({:.1f}, {:.1f}, {:.1f}) mm lies outside the fixed image", p.x,
                p.y, p.z));
      }
      const double q = std::clamp(index[a], 0.0, double(n[a] - 1));
      i0[a] = static_cast<std::int64_t>(std::floor(q));
      i1[a] = std::min(i0[a] + 1, n[a] - 1);
      f[a] = q - double(i0[a]);
    }
    for (int corner = 0; corner < 8; ++corner) {
      const std::int64_t x = corner & 1 ? i1[0] : i0[0], y = corner & 2 ? i1[1] : i0[1],
                         z = corner & 4 ? i1[2] : i0[2];
      s.voxel[corner] = x + n[0] * (y + n[1] * z);
      s.weight[corner] = (corner & 1 ? f[0] : 1 - f[0]) * (corner & 2 ? f[1] : 1 - f[1]) *
                         (corner & 4 ? f[2] : 1 - f[2]);
    }
    stencils_.push_back(s);
  }
}

double LandmarkTerm::evaluate(const DisplacementField& u, DisplacementField* gradient,
                              double weight) {
  if (!u.geometry().same_grid(grid_, 0.0)) {
    throw Error(ErrorKind::kData, "landmark term: the field is not on the level's grid");
  }
  // Without weights: the mean, summed as sum / n (the arithmetic of unweighted runs is unchanged).
  const bool mean = weights_.empty();
  const double n = static_cast<double>(fixed_.size());
  double sum = 0.0;
  for (std::size_t i = 0; i < fixed_.size(); ++i) {
    const Stencil& s = stencils_[i];
    Vec3d displacement{0, 0, 0};
    for (int c = 0; c < 8; ++c) displacement += u.data()[s.voxel[c]].cast<double>() * s.weight[c];
    const Vec3d residual = fixed_[i] + displacement - moving_[i];
    sum += mean ? residual.dot(residual) : weights_[i] * residual.dot(residual);
    if (gradient) {
      const double w = mean ? 1.0 : weights_[i] * n;
      for (int c = 0; c < 8; ++c)
        gradient->data()[s.voxel[c]] += (residual * (2.0 * weight * w * s.weight[c] / n)).cast<float>();
    }
  }
  return mean ? sum / n : sum;
}

}  // namespace modir::objective
