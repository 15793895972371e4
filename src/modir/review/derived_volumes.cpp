#include "modir/review/derived_volumes.h"

#include <algorithm>
#include <cmath>

namespace modir::review {

Image<float> difference(const Image<float>& warped, const Image<float>& fixed) {
  Image<float> out(fixed.geometry());
  for (std::int64_t v = 0; v < out.voxel_count(); ++v)
    out.data()[v] = warped.data()[v] - fixed.data()[v];
  return out;
}

Image<float> checkerboard(const Image<float>& warped, const Image<float>& fixed) {
  const Geometry& g = fixed.geometry();
  std::int64_t step[3];
  for (int a = 0; a < 3; ++a)
    step[a] = std::max<std::int64_t>(1, std::llround(kCheckerboardMm / g.spacing[a]));
  Image<float> out(g);
  for (std::int64_t z = 0; z < g.size[2]; ++z)
    for (std::int64_t y = 0; y < g.size[1]; ++y)
      for (std::int64_t x = 0; x < g.size[0]; ++x) {
        const std::int64_t v = out.linear_index(x, y, z);
        const bool odd = ((x / step[0]) + (y / step[1]) + (z / step[2])) % 2 != 0;
        out.data()[v] = odd ? warped.data()[v] : fixed.data()[v];
      }
  return out;
}

Image<std::uint8_t> folded(const Image<float>& jacobian) {
  Image<std::uint8_t> out(jacobian.geometry());
  for (std::int64_t v = 0; v < out.voxel_count(); ++v)
    out.data()[v] = jacobian.data()[v] <= 0.0f ? 1 : 0;
  return out;
}

Image<float> magnitude(const DisplacementField& u) {
  Image<float> out(u.geometry());
  for (std::int64_t v = 0; v < out.voxel_count(); ++v) {
    const Vec3f d = u.data()[v];
    out.data()[v] = std::sqrt(d.x * d.x + d.y * d.y + d.z * d.z);
  }
  return out;
}

}  // namespace modir::review
