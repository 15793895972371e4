#include "modir/learn/postprocess.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "modir/core/error.h"
#include "modir/core/parallel.h"
#include "modir/filter/connected_components.h"
#include "modir/filter/slice_holes.h"

namespace modir::learn {

LabelMap labels_from_scores(const ClassScores& scores, const Geometry& target,
                            const std::vector<std::uint16_t>& class_ids) {
  const Geometry& g = scores.grid;
  const std::int64_t n = g.voxel_count();
  if (scores.channels < 1 ||
      static_cast<std::int64_t>(scores.values.size()) != n * scores.channels ||
      class_ids.size() != static_cast<std::size_t>(scores.channels))
    throw data_error("labels_from_scores: scores and classes do not match");
  LabelMap out(target);
  // Target index -> network index is affine: start + i*dx + j*dy + k*dz.
  const Vec3d origin = g.world_to_index(target.index_to_world({0, 0, 0}));
  const Vec3d dx = g.world_to_index(target.index_to_world({1, 0, 0})) - origin;
  const Vec3d dy = g.world_to_index(target.index_to_world({0, 1, 0})) - origin;
  const Vec3d dz = g.world_to_index(target.index_to_world({0, 0, 1})) - origin;
  const std::int64_t sx = g.size[0], sy = g.size[1], sz = g.size[2];
  const int channels = scores.channels;
  parallel_for_slices(target.size[2], [&](std::int64_t k) {
    std::vector<float> best(static_cast<std::size_t>(channels));
    for (std::int64_t j = 0; j < target.size[1]; ++j) {
      for (std::int64_t i = 0; i < target.size[0]; ++i) {
        const Vec3d p = origin + dx * double(i) + dy * double(j) + dz * double(k);
        // Clamp to the grid (its box covers the target's, so this only trims rounding).
        const double px = std::clamp(p.x, 0.0, double(sx - 1)),
                     py = std::clamp(p.y, 0.0, double(sy - 1)),
                     pz = std::clamp(p.z, 0.0, double(sz - 1));
        const auto x0 = std::min<std::int64_t>(std::int64_t(px), sx - 1),
                   y0 = std::min<std::int64_t>(std::int64_t(py), sy - 1),
                   z0 = std::min<std::int64_t>(std::int64_t(pz), sz - 1);
        const std::int64_t x1 = std::min(x0 + 1, sx - 1), y1 = std::min(y0 + 1, sy - 1),
                           z1 = std::min(z0 + 1, sz - 1);
        const float fx = float(px - double(x0)), fy = float(py - double(y0)),
                    fz = float(pz - double(z0));
        const std::int64_t corner[8] = {x0 + sx * (y0 + sy * z0), x1 + sx * (y0 + sy * z0),
                                        x0 + sx * (y1 + sy * z0), x1 + sx * (y1 + sy * z0),
                                        x0 + sx * (y0 + sy * z1), x1 + sx * (y0 + sy * z1),
                                        x0 + sx * (y1 + sy * z1), x1 + sx * (y1 + sy * z1)};
        const float w[8] = {(1 - fx) * (1 - fy) * (1 - fz),
                            fx * (1 - fy) * (1 - fz),
                            (1 - fx) * fy * (1 - fz),
                            fx * fy * (1 - fz),
                            (1 - fx) * (1 - fy) * fz,
                            fx * (1 - fy) * fz,
                            (1 - fx) * fy * fz,
                            fx * fy * fz};
        int winner = 0;
        float top = -std::numeric_limits<float>::infinity();
        for (int c = 0; c < channels; ++c) {
          const float* v = scores.values.data() + std::int64_t(c) * n;
          float s = 0.0f;
          for (int q = 0; q < 8; ++q) s += w[q] * v[corner[q]];
          if (s > top) {
            top = s;
            winner = c;
          }
        }
        out(i, j, k) = class_ids[static_cast<std::size_t>(winner)];
      }
    }
  });
  return out;
}

void keep_largest_components(LabelMap& labels, const std::vector<std::uint16_t>& ids,
                             std::uint16_t fill) {
  // Paired organs (left and right femoral heads) are two pieces of similar size: every component
  // at least half the size of the largest stays.
  for (const std::uint16_t id : ids) filter::remove_small_components(labels, id, 0.5, fill);
}

std::int64_t constrain_to_body(LabelMap& labels, const Image<std::uint8_t>& body,
                               std::uint16_t background, std::optional<std::uint16_t> body_id) {
  if (!labels.geometry().same_grid(body.geometry()))
    throw data_error("the body mask is not on the label map's grid");
  std::int64_t changed = 0;
  for (std::int64_t v = 0; v < labels.voxel_count(); ++v) {
    std::uint16_t& l = labels.data()[v];
    const std::uint16_t want =
        !body.data()[v] ? background : (l == background && body_id ? *body_id : l);
    changed += want != l;
    l = want;
  }
  return changed;
}

std::vector<std::int64_t> fill_organ_holes(LabelMap& labels,
                                           const std::vector<std::uint16_t>& organs,
                                           const std::vector<std::uint16_t>& replaceable) {
  std::vector<std::int64_t> changed;
  if (organs.empty()) return changed;
  const std::int64_t n = labels.voxel_count();
  const int axial = filter::axial_axis(labels.geometry());
  std::vector<bool> claimable(65536, false);
  for (const std::uint16_t r : replaceable) claimable[r] = true;
  Image<std::uint8_t> mask(labels.geometry());
  for (const std::uint16_t organ : organs) {
    std::uint16_t* l = labels.data();
    for (std::int64_t v = 0; v < n; ++v) mask.data()[v] = l[v] == organ ? 1 : 0;
    std::int64_t count = 0;
    if (filter::fill_slice_holes(mask, axial) > 0) {
      for (std::int64_t v = 0; v < n; ++v) {
        if (mask.data()[v] && l[v] != organ && claimable[l[v]]) {
          l[v] = organ;
          ++count;
        }
      }
    }
    changed.push_back(count);
  }
  return changed;
}

}  // namespace modir::learn
