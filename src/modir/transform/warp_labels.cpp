#include "modir/transform/warp_labels.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "modir/core/convert_pixels.h"
#include "modir/core/parallel.h"
#include "modir/transform/warp.h"

namespace modir::transform {

namespace {

// The continuous index in a source grid of x + d for every voxel centre x of a target grid. The
// map is affine in the target index, so it is a start point plus one step per target axis, plus
// the displacement taken through the source's world-to-index matrix.
class SourceIndex {
 public:
  SourceIndex(const Geometry& source, const Geometry& target)
      : world_to_source_(source.index_to_world_matrix().inverse()),
        step_(world_to_source_ * target.index_to_world_matrix()),
        start_(world_to_source_ * (target.origin - source.origin)) {}

  Vec3d row_start(std::int64_t y, std::int64_t z) const {
    return start_ + step_.column(1) * static_cast<double>(y) +
           step_.column(2) * static_cast<double>(z);
  }
  Vec3d at(const Vec3d& row_start, std::int64_t x) const {
    return row_start + step_.column(0) * static_cast<double>(x);
  }
  Vec3d at(const Vec3d& row_start, std::int64_t x, const Vec3f& displacement) const {
    return at(row_start, x) + world_to_source_ * displacement.cast<double>();
  }

 private:
  Mat3 world_to_source_;
  Mat3 step_;
  Vec3d start_;
};

// True when a continuous index lies within half a voxel of the grid: the same test as
// Geometry::contains_index and warp_linear's inside mask.
bool within_half_voxel(const Vec3d& index, const Size3& size) {
  for (int a = 0; a < 3; ++a) {
    if (!(index[a] >= -0.5 && index[a] <= static_cast<double>(size[a]) - 0.5)) return false;
  }
  return true;
}

// The eight voxels and trilinear weights around a continuous index, edge-clamped as in
// warp_linear: beyond the outer voxel centres the index is clamped, so the edge voxels get all
// the weight along that axis.
struct TrilinearStencil {
  std::int64_t offset[8];
  double weight[8];
};

TrilinearStencil trilinear_stencil(const Vec3d& index, const Size3& size) {
  std::int64_t i0[3], i1[3];
  double f[3];
  for (int a = 0; a < 3; ++a) {
    const double q = std::clamp(index[a], 0.0, static_cast<double>(size[a] - 1));
    const double base = std::floor(q);
    i0[a] = static_cast<std::int64_t>(base);
    i1[a] = std::min(i0[a] + 1, size[a] - 1);
    f[a] = q - base;
  }
  TrilinearStencil s;
  int n = 0;
  for (int c = 0; c < 2; ++c) {
    for (int b = 0; b < 2; ++b) {
      for (int a = 0; a < 2; ++a, ++n) {
        const std::int64_t x = a ? i1[0] : i0[0], y = b ? i1[1] : i0[1], z = c ? i1[2] : i0[2];
        s.offset[n] = x + size[0] * (y + size[1] * z);
        s.weight[n] = (a ? f[0] : 1 - f[0]) * (b ? f[1] : 1 - f[1]) * (c ? f[2] : 1 - f[2]);
      }
    }
  }
  return s;
}

// Summed weights within this much count as equal and go to the smaller label. A float32
// displacement places a sample only to about 1e-6 of a voxel, so a sample meant to lie exactly
// between two labels would otherwise fall to whichever side the rounding of u favoured.
constexpr double kTieTolerance = 1e-5;

// The label with the largest summed trilinear weight among the stencil's voxels.
std::uint16_t vote(const std::uint16_t* labels, const TrilinearStencil& s) {
  std::uint16_t candidate[8];
  double total[8];
  int count = 0;
  for (int n = 0; n < 8; ++n) {
    const std::uint16_t label = labels[s.offset[n]];
    int c = 0;
    while (c < count && candidate[c] != label) ++c;
    if (c == count) {
      candidate[count] = label;
      total[count++] = 0.0;
    }
    total[c] += s.weight[n];
  }
  std::uint16_t best = candidate[0];
  double best_total = total[0];
  for (int c = 1; c < count; ++c) {
    const bool larger = total[c] > best_total + kTieTolerance;
    const bool tie_to_smaller =
        std::abs(total[c] - best_total) <= kTieTolerance && candidate[c] < best;
    if (larger || tie_to_smaller) {
      best = candidate[c];
      best_total = total[c];
    }
  }
  return best;
}

// A fill value as a T, rounded and saturated as convert_pixels converts voxels.
template <typename T>
T rounded_and_saturated(double value) {
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(value);
  } else {
    if (!std::isfinite(value)) return T{0};
    return static_cast<T>(std::clamp(std::nearbyint(value),
                                     static_cast<double>(std::numeric_limits<T>::lowest()),
                                     static_cast<double>(std::numeric_limits<T>::max())));
  }
}

}  // namespace

LabelMap warp_labels(const LabelMap& moving, const DisplacementField& u,
                     std::uint16_t outside_label) {
  const Geometry& target = u.geometry();
  const Size3& source_size = moving.size();
  const SourceIndex map(moving.geometry(), target);
  LabelMap out(target);
  const Vec3f* displacement = u.data();
  const std::uint16_t* labels = moving.data();
  parallel_for_slices(target.size[2], [&](std::int64_t z) {
    for (std::int64_t y = 0; y < target.size[1]; ++y) {
      const Vec3d row = map.row_start(y, z);
      const std::int64_t first = target.size[0] * (y + target.size[1] * z);
      for (std::int64_t x = 0; x < target.size[0]; ++x) {
        const Vec3d index = map.at(row, x, displacement[first + x]);
        out.data()[first + x] = within_half_voxel(index, source_size)
                                    ? vote(labels, trilinear_stencil(index, source_size))
                                    : outside_label;
      }
    }
  });
  return out;
}

template <typename T>
Image<T> warp_image_nearest(const Image<T>& moving, const DisplacementField& u,
                            double outside_value) {
  const Geometry& target = u.geometry();
  const Size3& n = moving.size();
  const SourceIndex map(moving.geometry(), target);
  const T outside = rounded_and_saturated<T>(outside_value);
  Image<T> out(target);
  const Vec3f* displacement = u.data();
  const T* src = moving.data();
  parallel_for_slices(target.size[2], [&](std::int64_t z) {
    for (std::int64_t y = 0; y < target.size[1]; ++y) {
      const Vec3d row = map.row_start(y, z);
      const std::int64_t first = target.size[0] * (y + target.size[1] * z);
      for (std::int64_t x = 0; x < target.size[0]; ++x) {
        const Vec3d index = map.at(row, x, displacement[first + x]);
        if (!within_half_voxel(index, n)) {
          out.data()[first + x] = outside;
          continue;
        }
        std::int64_t nearest[3];
        for (int a = 0; a < 3; ++a) {
          nearest[a] = std::clamp<std::int64_t>(std::llround(index[a]), 0, n[a] - 1);
        }
        out.data()[first + x] = src[nearest[0] + n[0] * (nearest[1] + n[1] * nearest[2])];
      }
    }
  });
  return out;
}

LabelMap warp_labels_nearest(const LabelMap& moving, const DisplacementField& u,
                             std::uint16_t outside_label) {
  return warp_image_nearest(moving, u, static_cast<double>(outside_label));
}

template <typename T>
Image<T> warp_image(const Image<T>& moving, const DisplacementField& u, double outside_value) {
  Image<float> warped;
  Image<std::uint8_t> inside;
  if constexpr (std::is_same_v<T, float>) {
    warp_linear(moving, u, warped, nullptr, &inside);
  } else {
    warp_linear(convert_pixels<float>(moving), u, warped, nullptr, &inside);
  }
  const auto outside = static_cast<float>(outside_value);
  float* values = warped.data();
  const std::uint8_t* in = inside.data();
  for (std::int64_t v = 0; v < warped.voxel_count(); ++v) {
    if (!in[v]) values[v] = outside;
  }
  if constexpr (std::is_same_v<T, float>) {
    return warped;
  } else {
    return convert_pixels<T>(warped);
  }
}

DisplacementField resample_field(const DisplacementField& u, const Geometry& reference) {
  const Size3& source_size = u.size();
  const SourceIndex map(u.geometry(), reference);
  DisplacementField out(reference);
  const Vec3f* vectors = u.data();
  parallel_for_slices(reference.size[2], [&](std::int64_t z) {
    for (std::int64_t y = 0; y < reference.size[1]; ++y) {
      const Vec3d row = map.row_start(y, z);
      const std::int64_t first = reference.size[0] * (y + reference.size[1] * z);
      for (std::int64_t x = 0; x < reference.size[0]; ++x) {
        const TrilinearStencil s = trilinear_stencil(map.at(row, x), source_size);
        Vec3d sum{};
        for (int n = 0; n < 8; ++n) sum += vectors[s.offset[n]].cast<double>() * s.weight[n];
        out.data()[first + x] = sum.cast<float>();
      }
    }
  });
  return out;
}

template Image<std::uint8_t> warp_image_nearest(const Image<std::uint8_t>&,
                                                const DisplacementField&, double);
template Image<std::int16_t> warp_image_nearest(const Image<std::int16_t>&,
                                                const DisplacementField&, double);
template Image<std::uint16_t> warp_image_nearest(const Image<std::uint16_t>&,
                                                 const DisplacementField&, double);
template Image<std::int32_t> warp_image_nearest(const Image<std::int32_t>&,
                                                const DisplacementField&, double);
template Image<float> warp_image_nearest(const Image<float>&, const DisplacementField&, double);
template Image<double> warp_image_nearest(const Image<double>&, const DisplacementField&, double);

template Image<std::uint8_t> warp_image(const Image<std::uint8_t>&, const DisplacementField&,
                                        double);
template Image<std::int16_t> warp_image(const Image<std::int16_t>&, const DisplacementField&,
                                        double);
template Image<std::uint16_t> warp_image(const Image<std::uint16_t>&, const DisplacementField&,
                                         double);
template Image<std::int32_t> warp_image(const Image<std::int32_t>&, const DisplacementField&,
                                        double);
template Image<float> warp_image(const Image<float>&, const DisplacementField&, double);
template Image<double> warp_image(const Image<double>&, const DisplacementField&, double);

}  // namespace modir::transform
