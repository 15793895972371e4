#include "modir/landmarks/keypoints.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <tuple>

#include "modir/core/error.h"
#include "modir/core/parallel.h"
#include "modir/filter/gaussian_blur.h"

namespace modir::landmarks {

namespace {

/// The six distinct entries of the structure tensor, per voxel: xx, yy, zz, xy, xz, yz.
std::array<Image<float>, 6> structure_tensor(const Image<float>& image,
                                             const KeypointOptions& options) {
  const Geometry& g = image.geometry();
  Image<float> smooth = image;
  const double gs = options.gradient_sigma_mm;
  filter::gaussian_blur(smooth, {gs, gs, gs});
  std::array<Image<float>, 6> t;
  for (Image<float>& c : t) c = Image<float>(g, 0.0f);
  const Size3& n = g.size;
  parallel_for_slices(n[2], [&](std::int64_t z) {
    for (std::int64_t y = 0; y < n[1]; ++y) {
      for (std::int64_t x = 0; x < n[0]; ++x) {
        // Central differences, one-sided at the faces; per mm.
        const auto diff = [&](int axis) {
          std::array<std::int64_t, 3> lo{x, y, z}, hi{x, y, z};
          lo[axis] = std::max<std::int64_t>(0, lo[axis] - 1);
          hi[axis] = std::min<std::int64_t>(n[axis] - 1, hi[axis] + 1);
          if (hi[axis] == lo[axis]) return 0.0f;
          return (smooth(hi[0], hi[1], hi[2]) - smooth(lo[0], lo[1], lo[2])) /
                 float(double(hi[axis] - lo[axis]) * g.spacing[axis]);
        };
        const float gx = diff(0), gy = diff(1), gz = diff(2);
        const std::int64_t i = image.linear_index(x, y, z);
        t[0].data()[i] = gx * gx;
        t[1].data()[i] = gy * gy;
        t[2].data()[i] = gz * gz;
        t[3].data()[i] = gx * gy;
        t[4].data()[i] = gx * gz;
        t[5].data()[i] = gy * gz;
      }
    }
  });
  const double ts = options.tensor_sigma_mm;
  for (Image<float>& c : t) filter::gaussian_blur(c, {ts, ts, ts});
  return t;
}

}  // namespace

std::vector<Keypoint> detect_keypoints(const Image<float>& image, const Image<std::uint8_t>& region,
                                       const KeypointOptions& options, const LabelMap* labels) {
  const Geometry& g = image.geometry();
  if (!region.geometry().same_grid(g) || (labels && !labels->geometry().same_grid(g))) {
    throw Error(ErrorKind::kData,
                "keypoint detection: the region or labels are not on the image's grid");
  }
  const std::array<Image<float>, 6> t = structure_tensor(image, options);
  const std::int64_t count = g.voxel_count();
  Image<float> energy(g), response(g);
  for (std::int64_t i = 0; i < count; ++i) {
    const double xx = t[0].data()[i], yy = t[1].data()[i], zz = t[2].data()[i];
    const double xy = t[3].data()[i], xz = t[4].data()[i], yz = t[5].data()[i];
    const double det =
        xx * (yy * zz - yz * yz) - xy * (xy * zz - yz * xz) + xz * (xy * yz - yy * xz);
    const double minors = (xx * yy - xy * xy) + (xx * zz - xz * xz) + (yy * zz - yz * yz);
    energy.data()[i] = float(xx + yy + zz);
    response.data()[i] = minors > 0.0 ? float(std::max(0.0, det) / minors) : 0.0f;
  }
  // The noise floor: the median gradient energy inside the region.
  std::vector<float> inside;
  for (std::int64_t i = 0; i < count; ++i)
    if (region.data()[i]) inside.push_back(energy.data()[i]);
  if (inside.empty()) return {};
  const float strongest = *std::max_element(inside.begin(), inside.end());
  if (!(strongest > 0.0f)) return {};  // no structure: a constant scan
  std::nth_element(inside.begin(), inside.begin() + std::ptrdiff_t(inside.size() / 2),
                   inside.end());
  // A noise-free image has a median of 0: then any gradient counts.
  const float floor = std::max(inside[inside.size() / 2], 1e-6f * strongest);

  Image<float> local_energy = energy;
  const double ns = options.normalise_sigma_mm;
  filter::gaussian_blur(local_energy, {ns, ns, ns});
  // Förstner's measure has units of gradient energy: dividing by the local mean makes it a
  // dimensionless ratio comparable across tissues.
  for (std::int64_t i = 0; i < count; ++i)
    response.data()[i] /= std::max(local_energy.data()[i], 1e-3f * floor);

  Image<std::uint8_t> eligible(g, 0);
  for (std::int64_t i = 0; i < count; ++i)
    eligible.data()[i] = region.data()[i] && energy.data()[i] > floor ? 1 : 0;
  return select_keypoints(response, eligible, options, labels);
}

std::vector<Keypoint> select_keypoints(const Image<float>& response,
                                       const Image<std::uint8_t>& eligible,
                                       const KeypointOptions& options, const LabelMap* labels) {
  const Geometry& g = response.geometry();
  if (!eligible.geometry().same_grid(g) || (labels && !labels->geometry().same_grid(g))) {
    throw Error(ErrorKind::kData,
                "keypoint selection: the eligible voxels or labels are not on the response's grid");
  }
  const Size3& n = g.size;
  std::vector<Keypoint> candidates;
  for (std::int64_t z = 1; z + 1 < n[2]; ++z) {
    for (std::int64_t y = 1; y + 1 < n[1]; ++y) {
      for (std::int64_t x = 1; x + 1 < n[0]; ++x) {
        const std::int64_t i = response.linear_index(x, y, z);
        if (!eligible.data()[i]) continue;
        const float r = response.data()[i];
        if (!(r > 0.0f)) continue;
        bool is_max = true;
        for (int dz = -1; dz <= 1 && is_max; ++dz)
          for (int dy = -1; dy <= 1 && is_max; ++dy)
            for (int dx = -1; dx <= 1; ++dx) {
              if ((dx | dy | dz) == 0) continue;
              const float other = response(x + dx, y + dy, z + dz);
              // Ties go to the voxel with the lower index, so a plateau gives one maximum.
              const bool before = (dz < 0) || (dz == 0 && (dy < 0 || (dy == 0 && dx < 0)));
              if (other > r || (other == r && before)) {
                is_max = false;
                break;
              }
            }
        if (is_max)
          candidates.push_back({g.index_to_world({double(x), double(y), double(z)}), double(r)});
      }
    }
  }
  std::sort(candidates.begin(), candidates.end(), [](const Keypoint& a, const Keypoint& b) {
    return a.strength > b.strength ||
           (a.strength == b.strength && std::tie(a.position.z, a.position.y, a.position.x) <
                                            std::tie(b.position.z, b.position.y, b.position.x));
  });
  // Strongest first, at least min_distance apart (candidates x kept: a few million tests).
  std::vector<Keypoint> kept;
  const double d = options.min_distance_mm, d2 = d * d;
  const auto far_from_kept = [&](const Keypoint& c) {
    for (const Keypoint& k : kept) {
      const Vec3d delta = k.position - c.position;
      if (delta.dot(delta) < d2) return false;
    }
    return true;
  };
  std::vector<bool> taken(candidates.size(), false);
  if (labels && options.per_label > 0) {
    std::vector<std::size_t> per_label(65536, 0);
    for (std::size_t i = 0; i < candidates.size() && kept.size() < options.max_count; ++i) {
      const Vec3d index = g.world_to_index(candidates[i].position);
      const std::int64_t x = std::llround(index.x), y = std::llround(index.y),
                         z = std::llround(index.z);
      // The labels this candidate touches: its voxel's and its 26 neighbours'.
      std::vector<std::uint16_t> touched;
      for (std::int64_t dz = -1; dz <= 1; ++dz)
        for (std::int64_t dy = -1; dy <= 1; ++dy)
          for (std::int64_t dx = -1; dx <= 1; ++dx) {
            const std::uint16_t v = (*labels)(x + dx, y + dy, z + dz);
            if (v != 0 && std::find(touched.begin(), touched.end(), v) == touched.end())
              touched.push_back(v);
          }
      const bool wanted = std::any_of(touched.begin(), touched.end(), [&](std::uint16_t v) {
        return per_label[v] < options.per_label;
      });
      if (!wanted || !far_from_kept(candidates[i])) continue;
      kept.push_back(candidates[i]);
      taken[i] = true;
      for (const std::uint16_t v : touched) ++per_label[v];
    }
  }
  for (std::size_t i = 0; i < candidates.size() && kept.size() < options.max_count; ++i) {
    if (!taken[i] && far_from_kept(candidates[i])) kept.push_back(candidates[i]);
  }
  return kept;
}

}  // namespace modir::landmarks
