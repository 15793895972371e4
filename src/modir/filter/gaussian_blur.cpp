#include "modir/filter/gaussian_blur.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "modir/core/parallel.h"

namespace modir::filter {

namespace {

std::vector<double> gaussian_kernel(double sigma_voxels) {
  const int radius = std::max(1, static_cast<int>(std::ceil(3.0 * sigma_voxels)));
  std::vector<double> kernel(static_cast<std::size_t>(2 * radius + 1));
  double sum = 0.0;
  for (int i = -radius; i <= radius; ++i) {
    const double w = std::exp(-0.5 * i * i / (sigma_voxels * sigma_voxels));
    kernel[static_cast<std::size_t>(i + radius)] = w;
    sum += w;
  }
  for (double& w : kernel) w /= sum;
  return kernel;
}

// Smooths every line along `axis` (0, 1, 2) in place.
void blur_axis(Image<float>& image, int axis, double sigma_voxels) {
  const std::vector<double> kernel = gaussian_kernel(sigma_voxels);
  const int radius = static_cast<int>(kernel.size() / 2);
  const Size3& n = image.size();
  const std::int64_t stride = axis == 0 ? 1 : (axis == 1 ? n[0] : n[0] * n[1]);
  const std::int64_t length = n[axis];
  // Lines are indexed by the two other axes; the outer loop runs over the slowest of them.
  const int outer_axis = axis == 2 ? 1 : 2;
  const int inner_axis = axis == 0 ? 1 : 0;
  const std::int64_t outer_stride = outer_axis == 1 ? n[0] : n[0] * n[1];
  const std::int64_t inner_stride = inner_axis == 0 ? 1 : n[0];
  float* data = image.data();
  parallel_for(n[outer_axis], [&](std::int64_t o) {
    std::vector<float> line(static_cast<std::size_t>(length));
    for (std::int64_t in = 0; in < n[inner_axis]; ++in) {
      float* start = data + o * outer_stride + in * inner_stride;
      for (std::int64_t t = 0; t < length; ++t)
        line[static_cast<std::size_t>(t)] = start[t * stride];
      for (std::int64_t t = 0; t < length; ++t) {
        double acc = 0.0;
        for (int r = -radius; r <= radius; ++r) {
          const std::int64_t s = std::clamp<std::int64_t>(t + r, 0, length - 1);
          acc += kernel[static_cast<std::size_t>(r + radius)] * line[static_cast<std::size_t>(s)];
        }
        start[t * stride] = static_cast<float>(acc);
      }
    }
  });
}

}  // namespace

void gaussian_blur(Image<float>& image, const Vec3d& sigma_mm) {
  for (int axis = 0; axis < 3; ++axis) {
    const double sigma_voxels = sigma_mm[axis] / image.geometry().spacing[axis];
    if (sigma_voxels > 1e-3 && image.size()[axis] > 1) blur_axis(image, axis, sigma_voxels);
  }
}

}  // namespace modir::filter
