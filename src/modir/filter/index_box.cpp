#include "modir/filter/index_box.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace modir::filter {

std::map<std::uint16_t, IndexBox> label_boxes(const LabelMap& labels) {
  // Flat per-value arrays: a std::map lookup per voxel would cost more than the pass itself.
  constexpr std::int64_t kNone = -1;
  std::vector<std::array<std::int64_t, 6>> box(65536, {kNone, 0, 0, 0, 0, 0});
  const Size3& n = labels.size();
  const std::uint16_t* v = labels.data();
  for (std::int64_t z = 0; z < n[2]; ++z)
    for (std::int64_t y = 0; y < n[1]; ++y)
      for (std::int64_t x = 0; x < n[0]; ++x, ++v) {
        auto& b = box[*v];
        if (b[0] == kNone) {
          b = {x, x, y, y, z, z};
          continue;
        }
        b[0] = std::min(b[0], x), b[1] = std::max(b[1], x);
        b[2] = std::min(b[2], y), b[3] = std::max(b[3], y);
        b[4] = std::min(b[4], z), b[5] = std::max(b[5], z);
      }
  std::map<std::uint16_t, IndexBox> out;
  for (std::size_t value = 0; value < box.size(); ++value) {
    const auto& b = box[value];
    if (b[0] == kNone) continue;
    out[static_cast<std::uint16_t>(value)] = {{b[0], b[2], b[4]}, {b[1] + 1, b[3] + 1, b[5] + 1}};
  }
  return out;
}

IndexBox united(const IndexBox& a, const IndexBox& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  IndexBox out;
  for (std::size_t k = 0; k < 3; ++k) {
    out.lo[k] = std::min(a.lo[k], b.lo[k]);
    out.hi[k] = std::max(a.hi[k], b.hi[k]);
  }
  return out;
}

IndexBox box_of(const std::map<std::uint16_t, IndexBox>& boxes, std::uint16_t label) {
  const auto found = boxes.find(label);
  return found == boxes.end() ? IndexBox{} : found->second;
}

IndexBox grown(const IndexBox& box, const Geometry& grid, double margin_mm) {
  IndexBox out;
  for (std::size_t a = 0; a < 3; ++a) {
    const auto voxels = static_cast<std::int64_t>(std::ceil(margin_mm / grid.spacing[a]));
    out.lo[a] = std::max<std::int64_t>(0, box.lo[a] - voxels);
    out.hi[a] = std::min<std::int64_t>(grid.size[a], box.hi[a] + voxels);
  }
  return out;
}

Geometry box_geometry(const Geometry& grid, const IndexBox& box) {
  Geometry g = grid;
  g.size = box.size();
  g.origin = grid.index_to_world(
      {static_cast<double>(box.lo[0]), static_cast<double>(box.lo[1]),
       static_cast<double>(box.lo[2])});
  return g;
}

}  // namespace modir::filter
