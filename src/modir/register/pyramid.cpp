#include "modir/register/pyramid.h"

#include <algorithm>
#include <cmath>

#include "modir/filter/gaussian_blur.h"
#include "modir/filter/resample.h"

namespace modir::reg {

Vec3d level_spacing(const Geometry& image, double target_mm) {
  return {std::max(image.spacing.x, target_mm), std::max(image.spacing.y, target_mm),
          std::max(image.spacing.z, target_mm)};
}

Image<float> downsample(const Image<float>& image, const Vec3d& spacing) {
  const Geometry& g = image.geometry();
  Vec3d sigma{0, 0, 0};
  bool coarser = false;
  for (int a = 0; a < 3; ++a) {
    if (spacing[a] > g.spacing[a] * (1 + 1e-6)) {
      sigma[a] = std::sqrt(spacing[a] * spacing[a] - g.spacing[a] * g.spacing[a]) / 2.0;
      coarser = true;
    }
  }
  if (!coarser) return image;
  Image<float> smooth = image;
  filter::gaussian_blur(smooth, sigma);
  return filter::resample(smooth, filter::geometry_with_spacing(g, spacing),
                          filter::Interpolation::kLinear);
}

Vec3d grid_centre(const Geometry& grid) {
  return grid.index_to_world(
      {(grid.size[0] - 1) / 2.0, (grid.size[1] - 1) / 2.0, (grid.size[2] - 1) / 2.0});
}

}  // namespace modir::reg
