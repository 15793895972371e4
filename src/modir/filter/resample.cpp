#include "modir/filter/resample.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "modir/core/parallel.h"

namespace modir::filter {

Geometry geometry_with_spacing(const Geometry& geometry, const Vec3d& spacing) {
  Geometry out = geometry;
  Vec3d shift_index;  // centre of the new first voxel, in old continuous index units
  for (int a = 0; a < 3; ++a) {
    const double extent = static_cast<double>(geometry.size[a]) * geometry.spacing[a];
    const auto n = std::max<std::int64_t>(1, std::llround(extent / spacing[a]));
    out.size[a] = n;
    out.spacing[a] = spacing[a];
    // Old grid centre is at index (size-1)/2; place the new grid's centre on it.
    const double old_centre = (static_cast<double>(geometry.size[a]) - 1.0) / 2.0;
    const double half_new = (static_cast<double>(n) - 1.0) / 2.0 * spacing[a] / geometry.spacing[a];
    shift_index[a] = old_centre - half_new;
  }
  out.origin = geometry.index_to_world(shift_index);
  return out;
}

namespace {

template <typename T>
T to_voxel_type(double v) {
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(v);
  } else {
    v = std::nearbyint(v);
    v = std::clamp(v, static_cast<double>(std::numeric_limits<T>::lowest()),
                   static_cast<double>(std::numeric_limits<T>::max()));
    return static_cast<T>(v);
  }
}

}  // namespace

template <typename T>
Image<T> resample(const Image<T>& image, const Geometry& target, Interpolation interpolation,
                  double outside_value) {
  const Geometry& source = image.geometry();
  // Continuous source index of target voxel (i, j, k) = m * (i, j, k) + offset.
  const Mat3 m = source.index_to_world_matrix().inverse() * target.index_to_world_matrix();
  const Vec3d offset = source.world_to_index(target.origin);
  const std::int64_t nx = source.size[0], ny = source.size[1], nz = source.size[2];
  const T outside = to_voxel_type<T>(outside_value);
  const T* src = image.data();
  Image<T> out(target);

  parallel_for_slices(target.size[2], [&](std::int64_t k) {
    T* row_out = out.data() + k * target.size[0] * target.size[1];
    for (std::int64_t j = 0; j < target.size[1]; ++j) {
      for (std::int64_t i = 0; i < target.size[0]; ++i, ++row_out) {
        const Vec3d c =
            m * Vec3d{static_cast<double>(i), static_cast<double>(j), static_cast<double>(k)} +
            offset;
        if (c.x < -0.5 || c.y < -0.5 || c.z < -0.5 || c.x > nx - 0.5 || c.y > ny - 0.5 ||
            c.z > nz - 0.5) {
          *row_out = outside;
          continue;
        }
        const double x = std::clamp(c.x, 0.0, static_cast<double>(nx - 1));
        const double y = std::clamp(c.y, 0.0, static_cast<double>(ny - 1));
        const double z = std::clamp(c.z, 0.0, static_cast<double>(nz - 1));
        if (interpolation == Interpolation::kNearest) {
          const auto xi = static_cast<std::int64_t>(std::lround(x));
          const auto yi = static_cast<std::int64_t>(std::lround(y));
          const auto zi = static_cast<std::int64_t>(std::lround(z));
          *row_out = src[xi + nx * (yi + ny * zi)];
          continue;
        }
        const auto x0 = std::min<std::int64_t>(static_cast<std::int64_t>(x), nx - 1);
        const auto y0 = std::min<std::int64_t>(static_cast<std::int64_t>(y), ny - 1);
        const auto z0 = std::min<std::int64_t>(static_cast<std::int64_t>(z), nz - 1);
        const std::int64_t x1 = std::min(x0 + 1, nx - 1), y1 = std::min(y0 + 1, ny - 1),
                           z1 = std::min(z0 + 1, nz - 1);
        const double fx = x - x0, fy = y - y0, fz = z - z0;
        auto at = [&](std::int64_t a, std::int64_t b, std::int64_t cc) {
          return static_cast<double>(src[a + nx * (b + ny * cc)]);
        };
        const double c00 = at(x0, y0, z0) * (1 - fx) + at(x1, y0, z0) * fx;
        const double c10 = at(x0, y1, z0) * (1 - fx) + at(x1, y1, z0) * fx;
        const double c01 = at(x0, y0, z1) * (1 - fx) + at(x1, y0, z1) * fx;
        const double c11 = at(x0, y1, z1) * (1 - fx) + at(x1, y1, z1) * fx;
        const double v = (c00 * (1 - fy) + c10 * fy) * (1 - fz) + (c01 * (1 - fy) + c11 * fy) * fz;
        *row_out = to_voxel_type<T>(v);
      }
    }
  });
  return out;
}

template Image<std::uint8_t> resample(const Image<std::uint8_t>&, const Geometry&, Interpolation,
                                      double);
template Image<std::int16_t> resample(const Image<std::int16_t>&, const Geometry&, Interpolation,
                                      double);
template Image<std::uint16_t> resample(const Image<std::uint16_t>&, const Geometry&, Interpolation,
                                       double);
template Image<std::int32_t> resample(const Image<std::int32_t>&, const Geometry&, Interpolation,
                                      double);
template Image<float> resample(const Image<float>&, const Geometry&, Interpolation, double);
template Image<double> resample(const Image<double>&, const Geometry&, Interpolation, double);

}  // namespace modir::filter
