#include "modir/learn/dense_objects.h"

#include <algorithm>
#include <deque>
#include <unordered_map>

#include "modir/core/statistics.h"
#include "modir/filter/distance_transform.h"
#include "modir/filter/index_box.h"

namespace modir::learn {

namespace {

using filter::IndexBox;

struct Cores {
  std::vector<std::vector<std::int64_t>> small;  ///< linear voxel indices per small core
  std::vector<IndexBox> small_boxes;
  std::vector<IndexBox> large_boxes;  ///< implants' boxes, which a small core must keep clear of
};

Size3 index_of(std::int64_t linear, const Size3& n) {
  return {linear % n[0], (linear / n[0]) % n[1], linear / (n[0] * n[1])};
}

IndexBox box_of_voxels(const std::vector<std::int64_t>& voxels, const Size3& n) {
  IndexBox box{n, {0, 0, 0}};
  for (const std::int64_t v : voxels) {
    const Size3 p = index_of(v, n);
    for (std::size_t a = 0; a < 3; ++a) {
      box.lo[a] = std::min(box.lo[a], p[a]);
      box.hi[a] = std::max(box.hi[a], p[a] + 1);
    }
  }
  return box;
}

bool overlap(const IndexBox& a, const IndexBox& b) {
  for (std::size_t k = 0; k < 3; ++k)
    if (a.hi[k] <= b.lo[k] || b.hi[k] <= a.lo[k]) return false;
  return true;
}

// The 26-connected components of the voxels at or above the threshold, split by size. Only those
// voxels are visited (a hash of their indices): a scan holds none or a few thousand of them.
Cores dense_cores(const Image<float>& ct, const DenseObjectOptions& options) {
  const Size3& n = ct.size();
  std::unordered_map<std::int64_t, bool> visited;
  std::vector<std::int64_t> dense;
  for (std::int64_t i = 0; i < ct.voxel_count(); ++i)
    if (ct.data()[i] >= options.threshold_hu) {
      dense.push_back(i);
      visited.emplace(i, false);
    }
  Cores cores;
  const double voxel_ml = ct.geometry().voxel_ml();
  for (const std::int64_t seed : dense) {
    if (visited[seed]) continue;
    visited[seed] = true;
    std::vector<std::int64_t> component{seed};
    for (std::size_t next = 0; next < component.size(); ++next) {
      const Size3 p = index_of(component[next], n);
      for (std::int64_t dz = -1; dz <= 1; ++dz)
        for (std::int64_t dy = -1; dy <= 1; ++dy)
          for (std::int64_t dx = -1; dx <= 1; ++dx) {
            const std::int64_t x = p[0] + dx, y = p[1] + dy, z = p[2] + dz;
            if (x < 0 || y < 0 || z < 0 || x >= n[0] || y >= n[1] || z >= n[2]) continue;
            const auto it = visited.find(ct.linear_index(x, y, z));
            if (it == visited.end() || it->second) continue;
            it->second = true;
            component.push_back(it->first);
          }
    }
    const IndexBox box = box_of_voxels(component, n);
    if (double(component.size()) * voxel_ml <= options.max_core_ml) {
      cores.small.push_back(std::move(component));
      cores.small_boxes.push_back(box);
    } else {
      cores.large_boxes.push_back(box);
    }
  }
  return cores;
}

DenseObject describe(const Image<float>& ct, const std::vector<std::int64_t>& core) {
  Vec3d sum{0, 0, 0};
  for (const std::int64_t v : core) {
    const Size3 p = index_of(v, ct.size());
    sum = sum + Vec3d{double(p[0]), double(p[1]), double(p[2])};
  }
  DenseObject o;
  o.centre_mm = ct.geometry().index_to_world(sum * (1.0 / double(core.size())));
  o.core_ml = double(core.size()) * ct.geometry().voxel_ml();
  return o;
}

struct SmallObject {
  std::vector<std::int64_t> core;  ///< linear voxel indices of the scan
  IndexBox around;                 ///< the core's box grown by its halo and surroundings
  std::vector<Size3> core_in_box;  ///< the core's voxels, indexed within `around`
  Image<float> distance;           ///< mm from the core, on the grid of `around`
  float fill = 0.0f;               ///< the surroundings' median
};

// The core's surroundings in `object.around` of `ct`: their median into object.fill; false when
// there are none (a core that fills its whole neighbourhood).
bool measure_surroundings(const Image<float>& ct, SmallObject& object,
                          const DenseObjectOptions& options) {
  const Image<float> part = filter::crop(ct, object.around);
  Image<std::uint8_t> mask(part.geometry(), 0);
  for (const std::int64_t v : object.core) {
    const Size3 p = index_of(v, ct.size());
    object.core_in_box.push_back(
        {p[0] - object.around.lo[0], p[1] - object.around.lo[1], p[2] - object.around.lo[2]});
    mask(object.core_in_box.back()[0], object.core_in_box.back()[1], object.core_in_box.back()[2]) =
        1;
  }
  object.distance = filter::distance_to_mask(mask);
  std::vector<float> around;
  for (std::int64_t i = 0; i < part.voxel_count(); ++i) {
    const float d = object.distance.data()[i], v = part.data()[i];
    if (d > options.halo_mm && d <= options.halo_mm + options.surroundings_mm &&
        v < options.threshold_hu)
      around.push_back(v);
  }
  if (around.empty()) return false;
  object.fill = static_cast<float>(median(std::move(around)));
  return true;
}

// The small cores that sit in soft tissue. A small core beside an implant, or in surroundings
// denser than soft tissue, is a piece of an implant (a prosthesis' values dip below the threshold
// in places; a femoral stem crossing thick slices breaks into pieces inside the femur): filling
// it would draw bone or metal where the network expects neither.
std::vector<SmallObject> small_objects(const Image<float>& ct, const DenseObjectOptions& options) {
  Cores cores = dense_cores(ct, options);
  std::vector<SmallObject> objects;
  const double reach = options.halo_mm + options.surroundings_mm;
  for (std::size_t c = 0; c < cores.small.size(); ++c) {
    SmallObject object;
    object.around = filter::grown(cores.small_boxes[c], ct.geometry(), reach);
    if (std::any_of(cores.large_boxes.begin(), cores.large_boxes.end(),
                    [&](const IndexBox& b) { return overlap(b, object.around); }))
      continue;
    object.core = std::move(cores.small[c]);
    if (!measure_surroundings(ct, object, options) || object.fill > options.max_surroundings_hu)
      continue;
    objects.push_back(std::move(object));
  }
  return objects;
}

// Fills the object's core and halo inside `part` (the scan's voxels in object.around) with its
// surroundings' median; returns the voxels written. The halo grows from the core through voxels
// brighter than the surroundings, within reach.
std::int64_t fill_object(Image<float>& part, const SmallObject& object,
                         const DenseObjectOptions& options) {
  const Size3& n = part.size();
  std::vector<std::int64_t> region;
  std::vector<std::uint8_t> in_region(static_cast<std::size_t>(part.voxel_count()), 0);
  for (const Size3& p : object.core_in_box) {
    region.push_back(part.linear_index(p[0], p[1], p[2]));
    in_region[std::size_t(region.back())] = 1;
  }
  for (std::size_t next = 0; next < region.size(); ++next) {
    const Size3 p = index_of(region[next], n);
    for (std::int64_t dz = -1; dz <= 1; ++dz)
      for (std::int64_t dy = -1; dy <= 1; ++dy)
        for (std::int64_t dx = -1; dx <= 1; ++dx) {
          const std::int64_t x = p[0] + dx, y = p[1] + dy, z = p[2] + dz;
          if (x < 0 || y < 0 || z < 0 || x >= n[0] || y >= n[1] || z >= n[2]) continue;
          const std::int64_t v = part.linear_index(x, y, z);
          if (in_region[std::size_t(v)] || object.distance.data()[v] > options.halo_mm ||
              !(part.data()[v] > object.fill + options.halo_excess_hu))
            continue;
          in_region[std::size_t(v)] = 1;
          region.push_back(v);
        }
  }
  for (const std::int64_t v : region) part.data()[v] = object.fill;
  return static_cast<std::int64_t>(region.size());
}

}  // namespace

std::vector<DenseObject> find_small_dense_objects(const Image<float>& ct,
                                                  const DenseObjectOptions& options) {
  std::vector<DenseObject> objects;
  for (const SmallObject& s : small_objects(ct, options)) {
    objects.push_back(describe(ct, s.core));
    objects.back().fill_hu = s.fill;
  }
  return objects;
}

std::vector<DenseObject> fill_small_dense_objects(Image<float>& ct,
                                                  const DenseObjectOptions& options) {
  std::vector<DenseObject> objects;
  // Measured on the scan as it came, filled one after another: an object's surroundings are not
  // changed by a neighbour's fill.
  for (const SmallObject& s : small_objects(ct, options)) {
    Image<float> part = filter::crop(ct, s.around);
    DenseObject o = describe(ct, s.core);
    o.fill_hu = s.fill;
    o.filled_voxels = fill_object(part, s, options);
    filter::paste(part, s.around, ct);
    objects.push_back(o);
  }
  return objects;
}

}  // namespace modir::learn
