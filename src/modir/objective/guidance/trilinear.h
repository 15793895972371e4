#pragma once

#include <cstdint>

#include "modir/core/image.h"
#include "modir/core/trilinear.h"

namespace modir::objective {

/// A scalar image's trilinear value and its gradient with respect to the continuous index, at a
/// continuous index; constant beyond the outer voxel centres (zero derivative there).
inline double trilinear_with_gradient(const Image<float>& image, const Vec3d& index,
                                      Vec3d& d_index) {
  const Size3& size = image.size();
  const std::int64_t n[3] = {size[0], size[1], size[2]};
  // Strictly inside the grid (nearly every call): the label term's inner loop, in float.
  if (inside_cells(index, n)) {
    const auto ix = static_cast<std::int64_t>(index.x);
    const auto iy = static_cast<std::int64_t>(index.y);
    const auto iz = static_cast<std::int64_t>(index.z);
    const std::int64_t row = n[0], plane = n[0] * n[1];
    Vec3f d;
    const float value = trilinear_in_cell<true>(
        image.data() + ix + row * iy + plane * iz, row, plane,
        static_cast<float>(index.x - double(ix)), static_cast<float>(index.y - double(iy)),
        static_cast<float>(index.z - double(iz)), d);
    d_index = {d.x, d.y, d.z};
    return value;
  }
  return trilinear_clamped(image.data(), n, index, &d_index);
}

}  // namespace modir::objective
