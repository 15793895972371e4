#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "modir/core/image.h"

namespace modir::objective {

/// A scalar image's trilinear value and its gradient with respect to the continuous index, at a
/// continuous index; constant beyond the outer voxel centres (zero derivative there).
inline double trilinear_with_gradient(const Image<float>& image, const Vec3d& index,
                                      Vec3d& d_index) {
  const Size3& n = image.size();
  // Strictly inside the grid (nearly every call): neighbours at +1, no clamping, and float
  // arithmetic on the float voxels. This is the label term's inner loop.
  if (index.x >= 0.0 && index.x < double(n[0] - 1) && index.y >= 0.0 &&
      index.y < double(n[1] - 1) && index.z >= 0.0 && index.z < double(n[2] - 1)) {
    const auto ix = static_cast<std::int64_t>(index.x);
    const auto iy = static_cast<std::int64_t>(index.y);
    const auto iz = static_cast<std::int64_t>(index.z);
    const auto fx = static_cast<float>(index.x - double(ix));
    const auto fy = static_cast<float>(index.y - double(iy));
    const auto fz = static_cast<float>(index.z - double(iz));
    const std::int64_t row = n[0], plane = n[0] * n[1];
    const float* c = image.data() + ix + row * iy + plane * iz;
    const float dx00 = c[1] - c[0], dx10 = c[row + 1] - c[row];
    const float dx01 = c[plane + 1] - c[plane], dx11 = c[plane + row + 1] - c[plane + row];
    const float c00 = c[0] + fx * dx00, c10 = c[row] + fx * dx10;
    const float c01 = c[plane] + fx * dx01, c11 = c[plane + row] + fx * dx11;
    const float c0 = c00 + fy * (c10 - c00), c1 = c01 + fy * (c11 - c01);
    d_index = {(1 - fz) * ((1 - fy) * dx00 + fy * dx10) + fz * ((1 - fy) * dx01 + fy * dx11),
               (1 - fz) * (c10 - c00) + fz * (c11 - c01), c1 - c0};
    return c0 + fz * (c1 - c0);
  }
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
    return static_cast<double>(image(i, j, k));
  };
  const double c000 = at(i0[0], i0[1], i0[2]), c100 = at(i1[0], i0[1], i0[2]);
  const double c010 = at(i0[0], i1[1], i0[2]), c110 = at(i1[0], i1[1], i0[2]);
  const double c001 = at(i0[0], i0[1], i1[2]), c101 = at(i1[0], i0[1], i1[2]);
  const double c011 = at(i0[0], i1[1], i1[2]), c111 = at(i1[0], i1[1], i1[2]);
  const double fx = f[0], fy = f[1], fz = f[2];
  const double c00 = c000 + fx * (c100 - c000), c10 = c010 + fx * (c110 - c010);
  const double c01 = c001 + fx * (c101 - c001), c11 = c011 + fx * (c111 - c011);
  const double c0 = c00 + fy * (c10 - c00), c1 = c01 + fy * (c11 - c01);
  d_index = {flat[0] ? 0.0
                     : (1 - fz) * ((1 - fy) * (c100 - c000) + fy * (c110 - c010)) +
                           fz * ((1 - fy) * (c101 - c001) + fy * (c111 - c011)),
             flat[1] ? 0.0 : (1 - fz) * (c10 - c00) + fz * (c11 - c01), flat[2] ? 0.0 : c1 - c0};
  return c0 + fz * (c1 - c0);
}

}  // namespace modir::objective
