#include "modir/transform/warp.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "modir/core/parallel.h"
#include "modir/core/trilinear.h"

namespace modir::transform {

namespace {

// The overlap weight along one axis at continuous index p of a grid of n voxels (OverlapWeights),
// and its derivative with respect to p. Within kOnGrid of the outer voxel centres the weight is 1:
// the grid's own outer voxels, whose sample index carries float rounding, must neither lose
// weight nor sit on the ramp's kink.
double axis_overlap(double p, std::int64_t n, double& slope) {
  constexpr double kOnGrid = 1e-3;
  constexpr double kRamp = 0.5 - kOnGrid;
  const double last = static_cast<double>(n - 1);
  slope = 0.0;
  if (p >= -kOnGrid && p <= last + kOnGrid) return 1.0;
  if (p <= -0.5 || p >= last + 0.5) return 0.0;
  if (p < 0.0) {
    slope = 1.0 / kRamp;
    return (p + 0.5) / kRamp;
  }
  slope = -1.0 / kRamp;
  return (last + 0.5 - p) / kRamp;
}

struct RampVoxel {
  std::int64_t voxel;
  Vec3f gradient;
};

void warp(const Image<float>& moving, const DisplacementField& u, Image<float>& warped,
          DisplacementField* gradient, Image<std::uint8_t>* inside, OverlapWeights* overlap) {
  const Geometry& target = u.geometry();
  const Geometry& source = moving.geometry();
  if (!warped.geometry().same_grid(target, 0.0)) warped = Image<float>(target);
  if (gradient && !gradient->geometry().same_grid(target, 0.0))
    *gradient = DisplacementField(target);
  if (inside && !inside->geometry().same_grid(target, 0.0)) *inside = Image<std::uint8_t>(target);
  std::vector<std::vector<RampVoxel>> ramp_of_slice;
  if (overlap) {
    if (!overlap->weight.geometry().same_grid(target, 0.0)) overlap->weight = Image<float>(target);
    ramp_of_slice.resize(static_cast<std::size_t>(target.size[2]));
  }

  // moving index = W * (x + u) + w0, with x = target origin + M * target index: both linear, so
  // the index of a voxel's undisplaced point is a base plus steps along the target axes.
  const Mat3 world_to_moving = source.index_to_world_matrix().inverse();
  const Mat3 step = world_to_moving * target.index_to_world_matrix();
  const Vec3d start = world_to_moving * (target.origin - source.origin);
  // d(warped)/d(world) = W^T d(warped)/d(moving index).
  const Mat3 index_to_world_gradient = world_to_moving.transposed();
  const std::int64_t nx = target.size[0], ny = target.size[1];
  const std::int64_t mx = source.size[0], my = source.size[1], mz = source.size[2];
  const float* m = moving.data();
  const std::int64_t plane = mx * my;
  const std::int64_t n[3] = {mx, my, mz};
  float g[9];  // index_to_world_gradient, row-major, in float for the fast path
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c)
      g[3 * r + c] = static_cast<float>(index_to_world_gradient.m[r][c]);

  // The sample index in float: an index below 2^14 carries an error below 0.002 voxel, far below
  // what trilinear interpolation resolves, and float keeps this per-voxel arithmetic vectorisable.
  float w[9], dx[3];
  for (int r = 0; r < 3; ++r) {
    dx[r] = static_cast<float>(step.column(0)[r]);
    for (int c = 0; c < 3; ++c) w[3 * r + c] = static_cast<float>(world_to_moving.m[r][c]);
  }
  parallel_for_slices(target.size[2], [&](std::int64_t z) {
    for (std::int64_t y = 0; y < ny; ++y) {
      const Vec3d row_start =
          start + step.column(1) * static_cast<double>(y) + step.column(2) * static_cast<double>(z);
      const float r0 = static_cast<float>(row_start.x), r1 = static_cast<float>(row_start.y),
                  r2 = static_cast<float>(row_start.z);
      for (std::int64_t x = 0; x < nx; ++x) {
        const std::int64_t v = x + nx * (y + ny * z);
        const Vec3f d = u.data()[v];
        const auto fxi = static_cast<float>(x);
        const Vec3d index{r0 + dx[0] * fxi + w[0] * d.x + w[1] * d.y + w[2] * d.z,
                          r1 + dx[1] * fxi + w[3] * d.x + w[4] * d.y + w[5] * d.z,
                          r2 + dx[2] * fxi + w[6] * d.x + w[7] * d.y + w[8] * d.z};
        // Most samples fall strictly inside the moving grid: no clamping, neighbours at +1, and
        // float arithmetic from the neighbours on (the voxels are float; this path is the hot
        // loop of every image term). The general branch below handles the rest.
        if (inside_cells(index, n)) {
          const auto ix = static_cast<std::int64_t>(index.x);
          const auto iy = static_cast<std::int64_t>(index.y);
          const auto iz = static_cast<std::int64_t>(index.z);
          const float* cell = m + ix + mx * (iy + my * iz);
          const auto fx = static_cast<float>(index.x - static_cast<double>(ix));
          const auto fy = static_cast<float>(index.y - static_cast<double>(iy));
          const auto fz = static_cast<float>(index.z - static_cast<double>(iz));
          Vec3f di;  // d(warped)/d(moving index)
          if (gradient) {
            warped.data()[v] = trilinear_in_cell<true>(cell, mx, plane, fx, fy, fz, di);
            gradient->data()[v] = {g[0] * di.x + g[1] * di.y + g[2] * di.z,
                                   g[3] * di.x + g[4] * di.y + g[5] * di.z,
                                   g[6] * di.x + g[7] * di.y + g[8] * di.z};
          } else {
            warped.data()[v] = trilinear_in_cell<false>(cell, mx, plane, fx, fy, fz, di);
          }
          if (inside) inside->data()[v] = 1;
          if (overlap) overlap->weight.data()[v] = 1.0f;
          continue;
        }
        // Near or beyond the moving grid's edge.
        const double p[3] = {index.x, index.y, index.z};
        bool in = true;
        for (int a = 0; a < 3; ++a)
          if (!(p[a] >= -0.5 && p[a] <= static_cast<double>(n[a]) - 0.5)) in = false;
        Vec3d g_index;
        warped.data()[v] =
            static_cast<float>(trilinear_clamped(m, n, index, gradient ? &g_index : nullptr));
        if (inside) inside->data()[v] = in ? 1 : 0;
        if (overlap) {
          double weight[3], slope[3];
          for (int a = 0; a < 3; ++a) weight[a] = axis_overlap(p[a], n[a], slope[a]);
          overlap->weight.data()[v] = static_cast<float>(weight[0] * weight[1] * weight[2]);
          const Vec3d d_index{slope[0] * weight[1] * weight[2], weight[0] * slope[1] * weight[2],
                              weight[0] * weight[1] * slope[2]};
          if (d_index.x != 0.0 || d_index.y != 0.0 || d_index.z != 0.0) {
            ramp_of_slice[static_cast<std::size_t>(z)].push_back(
                {v, (index_to_world_gradient * d_index).cast<float>()});
          }
        }
        if (gradient) {
          gradient->data()[v] = (index_to_world_gradient * g_index).cast<float>();
        }
      }
    }
  });
  if (!overlap) return;
  overlap->ramp_voxels.clear();
  overlap->ramp_gradient.clear();
  for (const std::vector<RampVoxel>& slice : ramp_of_slice)
    for (const RampVoxel& r : slice) {
      overlap->ramp_voxels.push_back(r.voxel);
      overlap->ramp_gradient.push_back(r.gradient);
    }
}

}  // namespace

void warp_linear(const Image<float>& moving, const DisplacementField& u, Image<float>& warped,
                 DisplacementField* gradient, Image<std::uint8_t>* inside) {
  warp(moving, u, warped, gradient, inside, nullptr);
}

void warp_linear(const Image<float>& moving, const DisplacementField& u, Image<float>& warped,
                 DisplacementField* gradient, OverlapWeights& overlap) {
  warp(moving, u, warped, gradient, nullptr, &overlap);
}

}  // namespace modir::transform
