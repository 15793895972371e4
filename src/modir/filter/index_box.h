#pragma once

#include <cstdint>
#include <map>

#include "modir/core/image.h"

namespace modir::filter {

/// A block of voxels of a grid: indices lo[a] <= i < hi[a] along each axis a.
struct IndexBox {
  Size3 lo{0, 0, 0};
  Size3 hi{0, 0, 0};

  bool empty() const { return hi[0] <= lo[0] || hi[1] <= lo[1] || hi[2] <= lo[2]; }
  Size3 size() const { return {hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]}; }
  bool covers(const Size3& grid_size) const {
    return lo == Size3{0, 0, 0} && hi == grid_size;
  }
};

/// The smallest box holding both (an empty one adds nothing).
IndexBox united(const IndexBox& a, const IndexBox& b);

/// Per label value present (0 included), the smallest box that holds all its voxels; one pass.
std::map<std::uint16_t, IndexBox> label_boxes(const LabelMap& labels);

/// The box of `label` in `boxes` (from label_boxes), or an empty box when it is absent.
IndexBox box_of(const std::map<std::uint16_t, IndexBox>& boxes, std::uint16_t label);

/// `box` grown by at least `margin_mm` of physical distance on every side (whole voxels, rounded
/// up per axis from that axis's spacing), then clipped to `grid`.
IndexBox grown(const IndexBox& box, const Geometry& grid, double margin_mm);

/// The grid of the voxels in `box`: spacing and direction kept, the origin moved to its first voxel.
Geometry box_geometry(const Geometry& grid, const IndexBox& box);

/// The voxels of `image` inside `box`, on box_geometry.
template <typename T>
Image<T> crop(const Image<T>& image, const IndexBox& box) {
  Image<T> out(box_geometry(image.geometry(), box));
  const Size3 n = box.size();
  for (std::int64_t z = 0; z < n[2]; ++z)
    for (std::int64_t y = 0; y < n[1]; ++y) {
      const T* from = image.data() + image.linear_index(box.lo[0], box.lo[1] + y, box.lo[2] + z);
      std::copy(from, from + n[0], out.data() + out.linear_index(0, y, z));
    }
  return out;
}

/// Writes `part` (a crop of `whole` by `box`) back into `whole`'s voxels inside `box`.
template <typename T>
void paste(const Image<T>& part, const IndexBox& box, Image<T>& whole) {
  const Size3 n = box.size();
  for (std::int64_t z = 0; z < n[2]; ++z)
    for (std::int64_t y = 0; y < n[1]; ++y) {
      const T* from = part.data() + part.linear_index(0, y, z);
      std::copy(from, from + n[0],
                whole.data() + whole.linear_index(box.lo[0], box.lo[1] + y, box.lo[2] + z));
    }
}

}  // namespace modir::filter
