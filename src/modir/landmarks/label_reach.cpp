#include "modir/landmarks/label_reach.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace modir::landmarks {

int label_at(const LabelMap& labels, const Vec3d& point) {
  const Geometry& g = labels.geometry();
  const Vec3d index = g.world_to_index(point);
  std::int64_t v[3];
  for (int a = 0; a < 3; ++a) {
    v[a] = std::llround(index[a]);
    if (v[a] < 0 || v[a] >= g.size[a]) return -1;
  }
  return labels(v[0], v[1], v[2]);
}

bool label_within(const LabelMap& labels, const Vec3d& point, int label, double radius_mm) {
  const Geometry& g = labels.geometry();
  // In index coordinates the direction matrix is undone; its columns are orthonormal, so
  // distances along each index axis are the index differences times the spacing.
  const Vec3d centre = g.world_to_index(point);
  std::int64_t lo[3], hi[3];
  for (int a = 0; a < 3; ++a) {
    const double reach = radius_mm / g.spacing[a] + 0.5;
    lo[a] = std::max<std::int64_t>(0, std::llround(std::floor(centre[a] - reach)));
    hi[a] = std::min<std::int64_t>(g.size[a] - 1, std::llround(std::ceil(centre[a] + reach)));
  }
  const double r2 = radius_mm * radius_mm;
  for (std::int64_t z = lo[2]; z <= hi[2]; ++z)
    for (std::int64_t y = lo[1]; y <= hi[1]; ++y)
      for (std::int64_t x = lo[0]; x <= hi[0]; ++x) {
        if (labels(x, y, z) != label) continue;
        const std::int64_t v[3] = {x, y, z};
        double d2 = 0.0;
        for (int a = 0; a < 3; ++a) {
          // Distance from the point to the voxel's box along this axis.
          const double outside =
              std::max(0.0, std::abs(double(v[a]) - centre[a]) - 0.5) * g.spacing[a];
          d2 += outside * outside;
        }
        if (d2 <= r2) return true;
      }
  return false;
}

}  // namespace modir::landmarks
