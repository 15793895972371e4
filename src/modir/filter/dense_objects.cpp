#include "modir/filter/dense_objects.h"

#include <algorithm>
#include <optional>
#include <unordered_map>

#include "modir/core/statistics.h"
#include "modir/filter/distance_transform.h"
#include "modir/filter/index_box.h"

namespace modir::filter {

namespace {

struct Cores {
  std::vector<std::vector<std::int64_t>> small;  ///< linear voxel indices per small core
  std::vector<IndexBox> small_boxes;
  std::vector<IndexBox> large_boxes;  ///< implants' boxes, which a small core must keep clear of
};

Size3 index_of(std::int64_t linear, const Size3& n) {
  return {linear % n[0], (linear / n[0]) % n[1], linear / (n[0] * n[1])};
}

// Calls visit(v) with the linear index v of each of the 26 neighbours of the voxel at linear
// index `linear` that lie inside a grid of size `n`.
template <typename Visit>
void for_each_neighbour(std::int64_t linear, const Size3& n, Visit visit) {
  const Size3 p = index_of(linear, n);
  for (std::int64_t dz = -1; dz <= 1; ++dz)
    for (std::int64_t dy = -1; dy <= 1; ++dy)
      for (std::int64_t dx = -1; dx <= 1; ++dx) {
        const std::int64_t x = p[0] + dx, y = p[1] + dy, z = p[2] + dz;
        if ((dx || dy || dz) && x >= 0 && y >= 0 && z >= 0 && x < n[0] && y < n[1] && z < n[2])
          visit(x + n[0] * (y + n[1] * z));
      }
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
// voxels are visited (a hash of their indices): a scan holds none of them, a few hundred (gold
// markers) or some tens of thousands (a hip replacement).
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
      for_each_neighbour(component[next], n, [&](std::int64_t v) {
        const auto it = visited.find(v);
        if (it == visited.end() || it->second) return;
        it->second = true;
        component.push_back(v);
      });
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

struct SmallObject {
  std::vector<std::int64_t> core;    ///< linear voxel indices of the scan
  IndexBox around;                   ///< the core's box grown by its halo and surroundings
  float fill = 0.0f;                 ///< the surroundings' median
  std::vector<std::int64_t> region;  ///< core and halo, linear indices within `around`
  Vec3d centre_index;                ///< the scan's continuous index of the object's centre
};

// The surroundings of `core_mask` in `part` (a crop of the scan): the median of the voxels
// between halo_mm and halo_mm + surroundings_mm from the core, or nothing when there are none (a
// core that fills its whole neighbourhood).
std::optional<float> surroundings_median(const Image<float>& part, const Image<float>& distance,
                                         const DenseObjectOptions& options) {
  std::vector<float> around;
  for (std::int64_t i = 0; i < part.voxel_count(); ++i) {
    const float d = distance.data()[i], v = part.data()[i];
    if (d > options.halo_mm && d <= options.halo_mm + options.surroundings_mm &&
        v < options.threshold_hu)
      around.push_back(v);
  }
  if (around.empty()) return std::nullopt;
  return static_cast<float>(median(std::move(around)));
}

// The core and its halo within `part`: grown from the core through voxels brighter than the
// surroundings by halo_excess_hu, no farther than halo_mm from the core.
std::vector<std::int64_t> halo_region(const Image<float>& part, const Image<float>& distance,
                                      const std::vector<std::int64_t>& core_in_part, float fill,
                                      const DenseObjectOptions& options) {
  std::vector<std::int64_t> region = core_in_part;
  std::vector<std::uint8_t> in_region(static_cast<std::size_t>(part.voxel_count()), 0);
  for (const std::int64_t v : region) in_region[std::size_t(v)] = 1;
  for (std::size_t next = 0; next < region.size(); ++next) {
    for_each_neighbour(region[next], part.size(), [&](std::int64_t v) {
      if (in_region[std::size_t(v)] || distance.data()[v] > options.halo_mm ||
          !(part.data()[v] > fill + options.halo_excess_hu))
        return;
      in_region[std::size_t(v)] = 1;
      region.push_back(v);
    });
  }
  return region;
}

// Measures one core in soft tissue: its surroundings, halo and centre. The centre is the region's
// centroid weighted by how much each voxel rises above the surroundings: the partial-volume voxels
// at a marker's ends and sides place it within a voxel, where the clipped core alone would snap it
// to the slices it happens to fill. False when the core is not one to fill.
bool measure(const Image<float>& ct, SmallObject& object, const DenseObjectOptions& options) {
  const Image<float> part = crop(ct, object.around);
  Image<std::uint8_t> mask(part.geometry(), 0);
  std::vector<std::int64_t> core_in_part;
  for (const std::int64_t v : object.core) {
    const Size3 p = index_of(v, ct.size());
    core_in_part.push_back(part.linear_index(p[0] - object.around.lo[0], p[1] - object.around.lo[1],
                                             p[2] - object.around.lo[2]));
    mask.data()[core_in_part.back()] = 1;
  }
  const Image<float> distance = distance_to_mask(mask);
  const std::optional<float> fill = surroundings_median(part, distance, options);
  if (!fill || *fill > options.max_surroundings_hu) return false;
  object.fill = *fill;
  object.region = halo_region(part, distance, core_in_part, object.fill, options);
  Vec3d sum{0, 0, 0};
  double weight = 0.0;
  for (const std::int64_t v : object.region) {
    const Size3 p = index_of(v, part.size());
    const double w = double(part.data()[v]) - double(object.fill);
    sum = sum + Vec3d{double(p[0] + object.around.lo[0]), double(p[1] + object.around.lo[1]),
                      double(p[2] + object.around.lo[2])} *
                    w;
    weight += w;
  }
  object.centre_index = sum * (1.0 / weight);  // the core alone weighs > 2000 HU a voxel
  return true;
}

// The small cores that sit in soft tissue. A small core beside an implant, or in surroundings
// denser than soft tissue, is a piece of an implant (a prosthesis' values dip below the threshold
// in places; a femoral stem crossing thick slices breaks into pieces inside the femur): filling
// it would draw bone or metal where the network expects neither. Measured on the scan as it came.
std::vector<SmallObject> small_objects(const Image<float>& ct, const DenseObjectOptions& options) {
  Cores cores = dense_cores(ct, options);
  std::vector<SmallObject> objects;
  const double reach = options.halo_mm + options.surroundings_mm;
  for (std::size_t c = 0; c < cores.small.size(); ++c) {
    SmallObject object;
    object.around = grown(cores.small_boxes[c], ct.geometry(), reach);
    if (std::any_of(cores.large_boxes.begin(), cores.large_boxes.end(),
                    [&](const IndexBox& b) { return overlap(b, object.around); }))
      continue;
    object.core = std::move(cores.small[c]);
    if (measure(ct, object, options)) objects.push_back(std::move(object));
  }
  return objects;
}

DenseObject describe(const Image<float>& ct, const SmallObject& object) {
  DenseObject o;
  o.centre_mm = ct.geometry().index_to_world(object.centre_index);
  o.core_ml = double(object.core.size()) * ct.geometry().voxel_ml();
  o.fill_hu = object.fill;
  return o;
}

// Writes each object's fill into its core and halo. Cropped here, not when measured: a
// neighbour's fill may already lie in the box.
std::vector<DenseObject> fill_objects(Image<float>& ct, const std::vector<SmallObject>& objects) {
  std::vector<DenseObject> filled;
  for (const SmallObject& s : objects) {
    Image<float> part = crop(ct, s.around);
    for (const std::int64_t v : s.region) part.data()[v] = s.fill;
    paste(part, s.around, ct);
    DenseObject o = describe(ct, s);
    o.filled_voxels = static_cast<std::int64_t>(s.region.size());
    filled.push_back(o);
  }
  return filled;
}

}  // namespace

std::vector<DenseObject> find_small_dense_objects(const Image<float>& ct,
                                                  const DenseObjectOptions& options) {
  std::vector<DenseObject> objects;
  for (const SmallObject& s : small_objects(ct, options)) objects.push_back(describe(ct, s));
  return objects;
}

std::vector<DenseObject> fill_small_dense_objects(Image<float>& ct,
                                                  const DenseObjectOptions& options) {
  return fill_objects(ct, small_objects(ct, options));
}

std::optional<Image<float>> with_small_dense_objects_filled(const Image<float>& ct,
                                                            const DenseObjectOptions& options) {
  const std::vector<SmallObject> objects = small_objects(ct, options);
  if (objects.empty()) return std::nullopt;
  Image<float> filled = ct;
  fill_objects(filled, objects);
  return filled;
}

}  // namespace modir::filter
