#include "modir/evaluate/surface_distance.h"

#include <algorithm>
#include <limits>

#include "modir/core/parallel.h"
#include "modir/evaluate/grid_check.h"
#include "modir/evaluate/percentile.h"
#include "modir/filter/distance_transform.h"

namespace modir::evaluate {

namespace {

// Index bounds (inclusive) of the voxels of one label.
struct Box {
  Size3 lo{std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::max(),
           std::numeric_limits<std::int64_t>::max()};
  Size3 hi{-1, -1, -1};

  bool empty() const { return hi[0] < lo[0]; }
  void add(std::int64_t i, std::int64_t j, std::int64_t k) {
    const std::int64_t at[3] = {i, j, k};
    for (std::size_t a = 0; a < 3; ++a) {
      lo[a] = std::min(lo[a], at[a]);
      hi[a] = std::max(hi[a], at[a]);
    }
  }
  void add(const Box& other) {
    if (other.empty()) return;
    add(other.lo[0], other.lo[1], other.lo[2]);
    add(other.hi[0], other.hi[1], other.hi[2]);
  }
  std::int64_t extent(std::size_t a) const { return hi[a] - lo[a] + 1; }
};

// The bounding box of every label value in one pass (indexed by value).
std::vector<Box> label_boxes(const LabelMap& labels) {
  std::vector<Box> boxes(std::numeric_limits<std::uint16_t>::max() + std::size_t{1});
  const Size3& n = labels.size();
  for (std::int64_t k = 0; k < n[2]; ++k)
    for (std::int64_t j = 0; j < n[1]; ++j)
      for (std::int64_t i = 0; i < n[0]; ++i) boxes[labels(i, j, k)].add(i, j, k);
  return boxes;
}

bool on_surface(const LabelMap& labels, std::uint16_t label, std::int64_t i, std::int64_t j,
                std::int64_t k) {
  if (labels(i, j, k) != label) return false;
  const Size3& n = labels.size();
  if (i == 0 || j == 0 || k == 0 || i == n[0] - 1 || j == n[1] - 1 || k == n[2] - 1) return true;
  return labels(i - 1, j, k) != label || labels(i + 1, j, k) != label ||
         labels(i, j - 1, k) != label || labels(i, j + 1, k) != label ||
         labels(i, j, k - 1) != label || labels(i, j, k + 1) != label;
}

// The part of the grid inside `box`. Distances between surfaces of a label never leave the box
// around both, so the distance transforms run on this crop rather than the whole scan.
Geometry crop_geometry(const Geometry& grid, const Box& box) {
  Geometry crop = grid;
  crop.size = {box.extent(0), box.extent(1), box.extent(2)};
  crop.origin =
      grid.index_to_world(Vec3d{static_cast<double>(box.lo[0]), static_cast<double>(box.lo[1]),
                                static_cast<double>(box.lo[2])});
  return crop;
}

// Surface voxels of `label` on the crop of the grid given by `box` (neighbours are looked up in
// the whole map, so cropping never invents surface).
Image<std::uint8_t> surface_in_box(const LabelMap& labels, std::uint16_t label, const Box& box) {
  Image<std::uint8_t> mask(crop_geometry(labels.geometry(), box), 0);
  parallel_for_slices(box.extent(2), [&](std::int64_t z) {
    for (std::int64_t y = 0; y < box.extent(1); ++y)
      for (std::int64_t x = 0; x < box.extent(0); ++x) {
        if (on_surface(labels, label, box.lo[0] + x, box.lo[1] + y, box.lo[2] + z)) {
          mask(x, y, z) = 1;
        }
      }
  });
  return mask;
}

std::int64_t count_voxels(const Image<std::uint8_t>& mask) {
  return std::count_if(mask.buffer().begin(), mask.buffer().end(),
                       [](std::uint8_t v) { return v != 0; });
}

// Appends, for every voxel of `from`, the distance to the set whose distance map is `to`.
void append_directed(const Image<std::uint8_t>& from, const Image<float>& to,
                     std::vector<double>& distances) {
  for (std::int64_t v = 0; v < from.voxel_count(); ++v) {
    if (from.data()[v] != 0) distances.push_back(to.data()[v]);
  }
}

SurfaceDistance measure(const LabelMap& fixed, const LabelMap& warped, std::uint16_t label,
                        const Box& fixed_box, const Box& warped_box) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  SurfaceDistance d;
  d.label = label;
  d.missing_in_fixed = fixed_box.empty();
  d.missing_in_warped = warped_box.empty();
  if (!d.measured()) {
    if (!d.missing_in_fixed)
      d.fixed_surface_voxels = count_voxels(surface_in_box(fixed, label, fixed_box));
    if (!d.missing_in_warped) {
      d.warped_surface_voxels = count_voxels(surface_in_box(warped, label, warped_box));
    }
    d.hd95_mm = d.hausdorff_mm = d.mean_surface_mm = kNaN;
    return d;
  }
  Box both = fixed_box;
  both.add(warped_box);
  const Image<std::uint8_t> fixed_surface = surface_in_box(fixed, label, both);
  const Image<std::uint8_t> warped_surface = surface_in_box(warped, label, both);
  std::vector<double> distances;
  append_directed(fixed_surface, filter::distance_to_mask(warped_surface), distances);
  d.fixed_surface_voxels = static_cast<std::int64_t>(distances.size());
  append_directed(warped_surface, filter::distance_to_mask(fixed_surface), distances);
  d.warped_surface_voxels = static_cast<std::int64_t>(distances.size()) - d.fixed_surface_voxels;
  d.hausdorff_mm = *std::max_element(distances.begin(), distances.end());
  d.mean_surface_mm = mean(distances);
  d.hd95_mm = percentile(std::move(distances), 95.0);
  return d;
}

}  // namespace

Image<std::uint8_t> boundary_mask(const LabelMap& labels, std::uint16_t label) {
  Box whole;
  whole.add(0, 0, 0);
  whole.add(labels.size()[0] - 1, labels.size()[1] - 1, labels.size()[2] - 1);
  return surface_in_box(labels, label, whole);
}

SurfaceDistance surface_distance(const LabelMap& fixed, const LabelMap& warped,
                                 std::uint16_t label) {
  require_same_grid(fixed.geometry(), "fixed labels", warped.geometry(), "warped labels");
  return measure(fixed, warped, label, label_boxes(fixed)[label], label_boxes(warped)[label]);
}

std::vector<SurfaceDistance> surface_distances(const LabelMap& fixed, const LabelMap& warped) {
  require_same_grid(fixed.geometry(), "fixed labels", warped.geometry(), "warped labels");
  const std::vector<Box> fixed_boxes = label_boxes(fixed);
  const std::vector<Box> warped_boxes = label_boxes(warped);
  std::vector<SurfaceDistance> distances;
  for (std::size_t label = 1; label < fixed_boxes.size(); ++label) {
    if (fixed_boxes[label].empty() && warped_boxes[label].empty()) continue;
    distances.push_back(measure(fixed, warped, static_cast<std::uint16_t>(label),
                                fixed_boxes[label], warped_boxes[label]));
  }
  return distances;
}

}  // namespace modir::evaluate
