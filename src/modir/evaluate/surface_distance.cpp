#include "modir/evaluate/surface_distance.h"

#include <algorithm>
#include <limits>
#include <set>

#include "modir/core/parallel.h"
#include "modir/evaluate/grid_check.h"
#include "modir/core/statistics.h"
#include "modir/filter/distance_transform.h"
#include "modir/filter/index_box.h"

namespace modir::evaluate {

namespace {

bool on_surface(const LabelMap& labels, std::uint16_t label, std::int64_t i, std::int64_t j,
                std::int64_t k) {
  if (labels(i, j, k) != label) return false;
  const Size3& n = labels.size();
  if (i == 0 || j == 0 || k == 0 || i == n[0] - 1 || j == n[1] - 1 || k == n[2] - 1) return true;
  return labels(i - 1, j, k) != label || labels(i + 1, j, k) != label ||
         labels(i, j - 1, k) != label || labels(i, j + 1, k) != label ||
         labels(i, j, k - 1) != label || labels(i, j, k + 1) != label;
}

// Surface voxels of `label` on the crop of the grid given by `box` (neighbours are looked up in
// the whole map, so cropping never invents surface). Distances between surfaces of a label never
// leave the box around both, so the distance transforms run on this crop, not the whole scan.
Image<std::uint8_t> surface_in_box(const LabelMap& labels, std::uint16_t label,
                                   const filter::IndexBox& box) {
  Image<std::uint8_t> mask(filter::box_geometry(labels.geometry(), box), 0);
  const Size3 extent = box.size();
  parallel_for_slices(extent[2], [&](std::int64_t z) {
    for (std::int64_t y = 0; y < extent[1]; ++y)
      for (std::int64_t x = 0; x < extent[0]; ++x) {
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
                        const filter::IndexBox& fixed_box, const filter::IndexBox& warped_box) {
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
  const filter::IndexBox both = filter::united(fixed_box, warped_box);
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
  return surface_in_box(labels, label, filter::IndexBox{{0, 0, 0}, labels.size()});
}

SurfaceDistance surface_distance(const LabelMap& fixed, const LabelMap& warped,
                                 std::uint16_t label) {
  require_same_grid(fixed.geometry(), "fixed labels", warped.geometry(), "warped labels");
  return measure(fixed, warped, label, filter::box_of(filter::label_boxes(fixed), label),
                 filter::box_of(filter::label_boxes(warped), label));
}

std::vector<SurfaceDistance> surface_distances(const LabelMap& fixed, const LabelMap& warped) {
  require_same_grid(fixed.geometry(), "fixed labels", warped.geometry(), "warped labels");
  const auto fixed_boxes = filter::label_boxes(fixed), warped_boxes = filter::label_boxes(warped);
  std::set<std::uint16_t> labels;  // ascending, as reported
  for (const auto* boxes : {&fixed_boxes, &warped_boxes})
    for (const auto& [label, box] : *boxes)
      if (label != 0) labels.insert(label);
  std::vector<SurfaceDistance> distances;
  for (const std::uint16_t label : labels) {
    distances.push_back(measure(fixed, warped, label, filter::box_of(fixed_boxes, label),
                                filter::box_of(warped_boxes, label)));
  }
  return distances;
}

}  // namespace modir::evaluate
