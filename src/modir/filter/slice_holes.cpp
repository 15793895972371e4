#include "modir/filter/slice_holes.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "modir/core/error.h"
#include "modir/core/parallel.h"

namespace modir::filter {

int axial_axis(const Geometry& grid) {
  int best = 2;
  double best_z = -1.0;
  for (int c = 0; c < 3; ++c) {
    // Ties (a grid tilted 45 degrees) go to the later axis, so the usual k wins.
    const double z = std::abs(grid.direction(2, c));
    if (z >= best_z) {
      best_z = z;
      best = c;
    }
  }
  return best;
}

std::int64_t fill_slice_holes(Image<std::uint8_t>& mask, int axis) {
  if (axis < 0 || axis > 2)
    throw usage_error("fill_slice_holes: axis must be 0, 1 or 2, not {}", axis);
  const Size3& size = mask.size();
  const std::int64_t stride[3] = {1, size[0], size[0] * size[1]};
  // The plane's two axes, u before v.
  const int ua = axis == 0 ? 1 : 0, va = axis == 2 ? 1 : 2;
  const std::int64_t nu = size[ua], nv = size[va];
  std::vector<std::int64_t> filled(static_cast<std::size_t>(size[axis]), 0);
  parallel_for_slices(size[axis], [&](std::int64_t p) {
    std::uint8_t* base = mask.data() + p * stride[axis];
    const std::int64_t su = stride[ua], sv = stride[va];
    auto at = [&](std::int64_t u, std::int64_t v) -> std::uint8_t& {
      return base[u * su + v * sv];
    };
    // Holes lie inside the plane's bounding box of the mask: every outside voxel on the box's edge
    // reaches the plane's edge through the box's surroundings, which hold no mask voxel.
    std::int64_t u0 = nu, u1 = -1, v0 = nv, v1 = -1;
    for (std::int64_t v = 0; v < nv; ++v)
      for (std::int64_t u = 0; u < nu; ++u)
        if (at(u, v)) {
          u0 = std::min(u0, u);
          u1 = std::max(u1, u);
          v0 = std::min(v0, v);
          v1 = std::max(v1, v);
        }
    if (u1 - u0 < 2 || v1 - v0 < 2) return;  // no room for an enclosed voxel
    const std::int64_t bu = u1 - u0 + 1, bv = v1 - v0 + 1;
    std::vector<std::uint8_t> reached(static_cast<std::size_t>(bu * bv), 0);
    std::vector<std::int64_t> stack;
    auto push = [&](std::int64_t u, std::int64_t v) {
      const std::int64_t b = (v - v0) * bu + (u - u0);
      if (at(u, v) || reached[static_cast<std::size_t>(b)]) return;
      reached[static_cast<std::size_t>(b)] = 1;
      stack.push_back(b);
    };
    for (std::int64_t u = u0; u <= u1; ++u) {
      push(u, v0);
      push(u, v1);
    }
    for (std::int64_t v = v0; v <= v1; ++v) {
      push(u0, v);
      push(u1, v);
    }
    while (!stack.empty()) {
      const std::int64_t b = stack.back();
      stack.pop_back();
      const std::int64_t u = u0 + b % bu, v = v0 + b / bu;
      if (u > u0) push(u - 1, v);
      if (u < u1) push(u + 1, v);
      if (v > v0) push(u, v - 1);
      if (v < v1) push(u, v + 1);
    }
    std::int64_t count = 0;
    for (std::int64_t v = v0; v <= v1; ++v)
      for (std::int64_t u = u0; u <= u1; ++u) {
        std::uint8_t& m = at(u, v);
        if (!m && !reached[static_cast<std::size_t>((v - v0) * bu + (u - u0))]) {
          m = 1;
          ++count;
        }
      }
    filled[static_cast<std::size_t>(p)] = count;
  });
  std::int64_t total = 0;
  for (const std::int64_t c : filled) total += c;
  return total;
}

}  // namespace modir::filter
