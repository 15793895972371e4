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

// out[i] = sum_r kernel[r] * rows[clamp(i + r)], where rows[j] is a run of `width` contiguous
// floats at rows + j * row_stride. The inner loop runs along contiguous memory, so the compiler
// vectorises it whichever axis is being smoothed; the edge is replicated through the clamp on the
// row index, which costs nothing per voxel.
void convolve_rows(const float* rows, std::int64_t row_stride, std::int64_t count,
                   std::int64_t width, const std::vector<float>& kernel, float* out,
                   std::int64_t out_stride) {
  const int radius = static_cast<int>(kernel.size() / 2);
  for (std::int64_t i = 0; i < count; ++i) {
    float* o = out + i * out_stride;
    std::fill(o, o + width, 0.0f);
    for (int r = -radius; r <= radius; ++r) {
      const float w = kernel[static_cast<std::size_t>(r + radius)];
      const float* in = rows + std::clamp<std::int64_t>(i + r, 0, count - 1) * row_stride;
      for (std::int64_t x = 0; x < width; ++x) o[x] += w * in[x];
    }
  }
}

// Smooths every line along `axis` (0, 1, 2) in place.
void blur_axis(Image<float>& image, int axis, double sigma_voxels) {
  const std::vector<double> kernel_d = gaussian_kernel(sigma_voxels);
  const std::vector<float> kernel(kernel_d.begin(), kernel_d.end());
  const int radius = static_cast<int>(kernel.size() / 2);
  const Size3& n = image.size();
  const std::int64_t nx = n[0], ny = n[1], nz = n[2];
  float* data = image.data();
  if (axis == 0) {
    // Along x the lines are contiguous: copy each into a buffer padded by the replicated edge.
    parallel_for(ny * nz, [&](std::int64_t row) {
      std::vector<float> padded(static_cast<std::size_t>(nx + 2 * radius));
      float* line = data + row * nx;
      std::fill(padded.begin(), padded.begin() + radius, line[0]);
      std::copy(line, line + nx, padded.begin() + radius);
      std::fill(padded.begin() + radius + nx, padded.end(), line[nx - 1]);
      for (std::int64_t x = 0; x < nx; ++x) {
        float acc = 0.0f;
        for (int r = 0; r < static_cast<int>(kernel.size()); ++r)
          acc += kernel[static_cast<std::size_t>(r)] * padded[static_cast<std::size_t>(x + r)];
        line[x] = acc;
      }
    });
  } else if (axis == 1) {
    // One z slice at a time: rows of x are the contiguous runs, stepped along y.
    parallel_for(nz, [&](std::int64_t z) {
      float* slice = data + z * nx * ny;
      const std::vector<float> source(slice, slice + nx * ny);
      convolve_rows(source.data(), nx, ny, nx, kernel, slice, nx);
    });
  } else {
    // One y row at a time: the x runs of every slice at that y, stepped along z.
    parallel_for(ny, [&](std::int64_t y) {
      std::vector<float> source(static_cast<std::size_t>(nx * nz));
      for (std::int64_t z = 0; z < nz; ++z)
        std::copy_n(data + (z * ny + y) * nx, nx, source.begin() + z * nx);
      convolve_rows(source.data(), nx, nz, nx, kernel, data + y * nx, nx * ny);
    });
  }
}

}  // namespace

void gaussian_blur(Image<float>& image, const Vec3d& sigma_mm) {
  for (int axis = 0; axis < 3; ++axis) {
    const double sigma_voxels = sigma_mm[axis] / image.geometry().spacing[axis];
    if (sigma_voxels > 1e-3 && image.size()[axis] > 1) blur_axis(image, axis, sigma_voxels);
  }
}

}  // namespace modir::filter
