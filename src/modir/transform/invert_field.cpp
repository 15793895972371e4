#include "modir/transform/invert_field.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "modir/core/parallel.h"
#include "modir/transform/sample_field.h"

namespace modir::transform {

namespace {

// u at a continuous index of its grid and its derivative along the three index axes (columns),
// trilinear, constant beyond the outer voxel centres (zero derivative along a clamped axis).
struct FieldSample {
  Vec3d value;
  Mat3 d_index;  // column a: du / d index_a
};

FieldSample sample_with_jacobian(const DisplacementField& u, const Vec3d& index) {
  const Size3& n = u.size();
  std::int64_t lo[3], hi[3];
  double f[3];
  bool flat[3];
  for (int a = 0; a < 3; ++a) {
    const double q = std::clamp(index[a], 0.0, double(n[a] - 1));
    flat[a] = q != index[a] || n[a] == 1;
    lo[a] = std::min(static_cast<std::int64_t>(std::floor(q)), std::max<std::int64_t>(n[a] - 2, 0));
    hi[a] = std::min(lo[a] + 1, n[a] - 1);
    f[a] = q - double(lo[a]);
  }
  FieldSample s{{0, 0, 0}, Mat3::diagonal({0, 0, 0})};
  for (int c = 0; c < 8; ++c) {
    const bool ux = c & 1, uy = c & 2, uz = c & 4;
    const Vec3d value = u(ux ? hi[0] : lo[0], uy ? hi[1] : lo[1], uz ? hi[2] : lo[2]).cast<double>();
    const double wx = ux ? f[0] : 1 - f[0], wy = uy ? f[1] : 1 - f[1], wz = uz ? f[2] : 1 - f[2];
    s.value += value * (wx * wy * wz);
    // d(weight)/d(index_a): the weight's factor along a becomes +1 (upper) or -1 (lower).
    const double dx = (ux ? 1.0 : -1.0) * wy * wz, dy = wx * (uy ? 1.0 : -1.0) * wz,
                 dz = wx * wy * (uz ? 1.0 : -1.0);
    const double d[3] = {flat[0] ? 0.0 : dx, flat[1] ? 0.0 : dy, flat[2] ? 0.0 : dz};
    for (int r = 0; r < 3; ++r)
      for (int a = 0; a < 3; ++a) s.d_index.m[r][a] += value[r] * d[a];
  }
  return s;
}

bool inside_grid(const Geometry& g, const Vec3d& index) {
  for (int a = 0; a < 3; ++a)
    if (index[a] < -1e-6 || index[a] > double(g.size[a] - 1) + 1e-6) return false;
  return true;
}

InverseResidual summarise(std::vector<float> residuals) {
  InverseResidual r;
  residuals.erase(std::remove_if(residuals.begin(), residuals.end(),
                                 [](float v) { return std::isnan(v); }),
                  residuals.end());
  r.points = static_cast<std::int64_t>(residuals.size());
  if (residuals.empty()) return r;
  double sum = 0.0;
  for (const float v : residuals) sum += v;
  r.mean_mm = sum / double(residuals.size());
  const auto p95 = residuals.begin() + static_cast<std::ptrdiff_t>(0.95 * double(residuals.size() - 1));
  std::nth_element(residuals.begin(), p95, residuals.end());
  r.p95_mm = *p95;
  r.max_mm = *std::max_element(residuals.begin(), residuals.end());
  return r;
}

}  // namespace

InversePoint invert_point(const DisplacementField& u, const Vec3d& target,
                          const InversionOptions& options) {
  const Geometry& ug = u.geometry();
  const Mat3 world_to_index = ug.index_to_world_matrix().inverse();
  // F(p) = p + u(p) - target; start from target - u(target).
  const auto evaluate = [&](const Vec3d& p, FieldSample& s) {
    s = sample_with_jacobian(u, world_to_index * (p - ug.origin));
    return p + s.value - target;
  };
  FieldSample s;
  Vec3d p = target - sample_field(u, target);
  Vec3d r = evaluate(p, s);
  double norm = r.norm();
  for (int it = 0; it < options.max_iterations && norm > options.tolerance_mm; ++it) {
    // J = I + du/dp, with du/dp = du/dindex * dindex/dp.
    Mat3 jacobian = s.d_index * world_to_index;
    for (int a = 0; a < 3; ++a) jacobian.m[a][a] += 1.0;
    const double det = jacobian.determinant();
    const Vec3d step = std::abs(det) > 1e-8 ? jacobian.inverse() * r : r;
    double length = 1.0;
    bool improved = false;
    for (int halving = 0; halving < 12; ++halving, length *= 0.5) {
      FieldSample trial_sample;
      const Vec3d trial = p - step * length;
      const Vec3d trial_r = evaluate(trial, trial_sample);
      if (trial_r.norm() < norm) {
        p = trial;
        r = trial_r;
        s = trial_sample;
        norm = r.norm();
        improved = true;
        break;
      }
    }
    if (!improved) break;
  }
  return {p, norm, inside_grid(ug, world_to_index * (p - ug.origin))};
}

InversionResult invert_displacement(const DisplacementField& u, const Geometry& grid,
                                    const InversionOptions& options) {
  InversionResult result;
  result.inverse = DisplacementField(grid);
  std::vector<float> residual(static_cast<std::size_t>(grid.voxel_count()), NAN);
  std::vector<char> outside(residual.size(), 0), unconverged(residual.size(), 0);
  const std::int64_t nx = grid.size[0], ny = grid.size[1];
  parallel_for_slices(grid.size[2], [&](std::int64_t z) {
    for (std::int64_t y = 0; y < ny; ++y)
      for (std::int64_t x = 0; x < nx; ++x) {
        const std::int64_t v = x + nx * (y + ny * z);
        const Vec3d target = grid.index_to_world({double(x), double(y), double(z)});
        const InversePoint point = invert_point(u, target, options);
        const Vec3d p = point.x;
        const double norm = point.residual_mm;
        result.inverse.data()[v] = (p - target).cast<float>();
        const auto i = static_cast<std::size_t>(v);
        if (!point.inside) {
          outside[i] = 1;
          continue;
        }
        residual[i] = static_cast<float>(norm);
        unconverged[i] = norm > options.tolerance_mm;
      }
  });
  result.residual = summarise(std::move(residual));
  for (std::size_t i = 0; i < outside.size(); ++i) {
    result.outside_points += outside[i];
    result.unconverged_points += unconverged[i];
  }
  return result;
}

InverseResidual inverse_consistency(const DisplacementField& u, const DisplacementField& v) {
  const Geometry& g = u.geometry();
  const Geometry& vg = v.geometry();
  const Mat3 to_v_index = vg.index_to_world_matrix().inverse();
  std::vector<float> residual(static_cast<std::size_t>(g.voxel_count()), NAN);
  const std::int64_t nx = g.size[0], ny = g.size[1];
  parallel_for_slices(g.size[2], [&](std::int64_t z) {
    for (std::int64_t y = 0; y < ny; ++y)
      for (std::int64_t x = 0; x < nx; ++x) {
        const std::int64_t i = x + nx * (y + ny * z);
        const Vec3d ux = u.data()[i].cast<double>();
        const Vec3d moved = g.index_to_world({double(x), double(y), double(z)}) + ux;
        if (!inside_grid(vg, to_v_index * (moved - vg.origin))) continue;
        residual[static_cast<std::size_t>(i)] =
            static_cast<float>((ux + sample_field(v, moved)).norm());
      }
  });
  return summarise(std::move(residual));
}

}  // namespace modir::transform
