#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "modir/core/vec.h"

namespace modir {

// Trilinear interpolation of float voxels, with its derivative with respect to the continuous
// index. One implementation for the moving image's warp (transform/warp.cpp) and the label term's
// distance maps (objective/guidance/trilinear.h), so that both sample, and differentiate, alike.

/// The value inside one cell: `cell` points at its first voxel (ix, iy, iz), `row` and `plane` are
/// the grid's strides, (fx, fy, fz) in [0, 1) the position inside the cell. All in float: the
/// voxels are float and this is the inner loop of every image and label term. With
/// kWithDerivative, `d_index` receives the derivative with respect to the continuous index (a
/// template argument rather than a null pointer, so that the loop that calls it is compiled once
/// per case).
template <bool kWithDerivative>
inline float trilinear_in_cell(const float* cell, std::int64_t row, std::int64_t plane, float fx,
                               float fy, float fz, Vec3f& d_index) {
  const float* c = cell;
  const float dx00 = c[1] - c[0], dx10 = c[row + 1] - c[row];
  const float dx01 = c[plane + 1] - c[plane], dx11 = c[plane + row + 1] - c[plane + row];
  const float c00 = c[0] + fx * dx00, c10 = c[row] + fx * dx10;
  const float c01 = c[plane] + fx * dx01, c11 = c[plane + row] + fx * dx11;
  const float c0 = c00 + fy * (c10 - c00), c1 = c01 + fy * (c11 - c01);
  if constexpr (kWithDerivative) {
    d_index = {(1 - fz) * ((1 - fy) * dx00 + fy * dx10) + fz * ((1 - fy) * dx01 + fy * dx11),
               (1 - fz) * (c10 - c00) + fz * (c11 - c01), c1 - c0};
  }
  return c0 + fz * (c1 - c0);
}

/// True when `index` lies strictly inside the grid of size n: its cell's +1 neighbours exist on
/// every axis, so trilinear_in_cell applies without clamping.
inline bool inside_cells(const Vec3d& index, const std::int64_t n[3]) {
  return index.x >= 0.0 && index.x < double(n[0] - 1) && index.y >= 0.0 &&
         index.y < double(n[1] - 1) && index.z >= 0.0 && index.z < double(n[2] - 1);
}

/// The value at any continuous index, the voxels continued constantly beyond the outer voxel
/// centres: the derivative along an axis clamped there (or of a single voxel) is zero. In double:
/// this serves the few samples near or beyond the grid's faces.
inline double trilinear_clamped(const float* voxels, const std::int64_t n[3], const Vec3d& index,
                                Vec3d* d_index) {
  std::int64_t i0[3], i1[3];
  double f[3];
  bool flat[3];
  for (int a = 0; a < 3; ++a) {
    const double q = std::clamp(index[a], 0.0, static_cast<double>(n[a] - 1));
    flat[a] = q != index[a] || n[a] == 1;
    const double base = std::floor(q);
    i0[a] = static_cast<std::int64_t>(base);
    i1[a] = std::min(i0[a] + 1, n[a] - 1);
    f[a] = q - base;
  }
  const auto at = [&](std::int64_t i, std::int64_t j, std::int64_t k) {
    return static_cast<double>(voxels[i + n[0] * (j + n[1] * k)]);
  };
  const double c000 = at(i0[0], i0[1], i0[2]), c100 = at(i1[0], i0[1], i0[2]);
  const double c010 = at(i0[0], i1[1], i0[2]), c110 = at(i1[0], i1[1], i0[2]);
  const double c001 = at(i0[0], i0[1], i1[2]), c101 = at(i1[0], i0[1], i1[2]);
  const double c011 = at(i0[0], i1[1], i1[2]), c111 = at(i1[0], i1[1], i1[2]);
  const double fx = f[0], fy = f[1], fz = f[2];
  const double c00 = c000 + fx * (c100 - c000), c10 = c010 + fx * (c110 - c010);
  const double c01 = c001 + fx * (c101 - c001), c11 = c011 + fx * (c111 - c011);
  const double c0 = c00 + fy * (c10 - c00), c1 = c01 + fy * (c11 - c01);
  if (d_index) {
    *d_index = {flat[0] ? 0.0
                        : (1 - fz) * ((1 - fy) * (c100 - c000) + fy * (c110 - c010)) +
                              fz * ((1 - fy) * (c101 - c001) + fy * (c111 - c011)),
                flat[1] ? 0.0 : (1 - fz) * (c10 - c00) + fz * (c11 - c01),
                flat[2] ? 0.0 : c1 - c0};
  }
  return c0 + fz * (c1 - c0);
}

}  // namespace modir
