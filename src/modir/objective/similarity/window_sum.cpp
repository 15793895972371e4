#include "modir/objective/similarity/window_sum.h"

#include <algorithm>
#include <cmath>

#include "modir/core/parallel.h"

namespace modir::objective {

WindowSum::WindowSum(Kind kind, double radius_mm, const Geometry& grid)
    : kind_(kind), size_(grid.size) {
  for (int a = 0; a < 3; ++a) {
    const double r_voxels = radius_mm / grid.spacing[a];
    std::vector<double>& k = kernel_[a];
    if (kind == Kind::kBox) {
      const auto r = std::max<std::int64_t>(1, std::llround(r_voxels));
      k.assign(static_cast<std::size_t>(2 * r + 1), 1.0);
    } else {
      const double sigma = std::max(r_voxels, 0.5);
      const auto r = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(3.0 * sigma)));
      k.resize(static_cast<std::size_t>(2 * r + 1));
      for (std::int64_t i = -r; i <= r; ++i)
        k[static_cast<std::size_t>(i + r)] = std::exp(-0.5 * double(i * i) / (sigma * sigma));
    }
    const auto r = static_cast<std::int64_t>(k.size() / 2);
    axis_weight_[a].assign(static_cast<std::size_t>(size_[a]), 0.0);
    for (std::int64_t i = 0; i < size_[a]; ++i)
      for (std::int64_t t = -r; t <= r; ++t)
        if (i + t >= 0 && i + t < size_[a])
          axis_weight_[a][static_cast<std::size_t>(i)] += k[static_cast<std::size_t>(t + r)];
  }
}

namespace {

// out[i] = sum_t kernel[t + r] * line[i + t] over the line, in double. A box uses running sums.
void filter_line(const float* in, std::int64_t stride, std::int64_t n,
                 const std::vector<double>& kernel, bool box, std::vector<double>& line,
                 float* out) {
  for (std::int64_t i = 0; i < n; ++i) line[static_cast<std::size_t>(i)] = in[i * stride];
  const auto r = static_cast<std::int64_t>(kernel.size() / 2);
  if (box) {
    double running = 0.0;
    for (std::int64_t i = 0; i <= std::min(r, n - 1); ++i)
      running += line[static_cast<std::size_t>(i)];
    for (std::int64_t i = 0; i < n; ++i) {
      out[i * stride] = static_cast<float>(running);
      if (i + r + 1 < n) running += line[static_cast<std::size_t>(i + r + 1)];
      if (i - r >= 0) running -= line[static_cast<std::size_t>(i - r)];
    }
    return;
  }
  for (std::int64_t i = 0; i < n; ++i) {
    double s = 0.0;
    const std::int64_t lo = std::max<std::int64_t>(-r, -i),
                       hi = std::min<std::int64_t>(r, n - 1 - i);
    for (std::int64_t t = lo; t <= hi; ++t)
      s += kernel[static_cast<std::size_t>(t + r)] * line[static_cast<std::size_t>(i + t)];
    out[i * stride] = static_cast<float>(s);
  }
}

}  // namespace

// Box sums as running sums of whole rows and planes: every pass reads contiguous memory and
// vectorises, and the cost does not depend on the radius. Accumulators are double, so adding and
// removing values along a line does not drift.
void WindowSum::apply_box(Image<float>& image) const {
  const std::int64_t nx = size_[0], ny = size_[1], nz = size_[2];
  const std::int64_t rx = static_cast<std::int64_t>(kernel_[0].size() / 2);
  const std::int64_t ry = static_cast<std::int64_t>(kernel_[1].size() / 2);
  const std::int64_t rz = static_cast<std::int64_t>(kernel_[2].size() / 2);
  scratch_.resize(image.buffer().size());
  float* in = image.data();
  float* out = scratch_.data();
  // x within rows, then y within slices: image -> scratch -> image.
  parallel_for_slices(nz, [&](std::int64_t z) {
    for (std::int64_t y = 0; y < ny; ++y) {
      const float* row = in + nx * (y + ny * z);
      float* dst = out + nx * (y + ny * z);
      double running = 0.0;
      for (std::int64_t i = 0; i <= std::min(rx, nx - 1); ++i) running += row[i];
      for (std::int64_t i = 0; i < nx; ++i) {
        dst[i] = static_cast<float>(running);
        if (i + rx + 1 < nx) running += row[i + rx + 1];
        if (i - rx >= 0) running -= row[i - rx];
      }
    }
    std::vector<double> acc(static_cast<std::size_t>(nx), 0.0);
    const float* slice = out + nx * ny * z;
    float* dst = in + nx * ny * z;
    for (std::int64_t j = 0; j <= std::min(ry, ny - 1); ++j)
      for (std::int64_t i = 0; i < nx; ++i) acc[static_cast<std::size_t>(i)] += slice[nx * j + i];
    for (std::int64_t y = 0; y < ny; ++y) {
      for (std::int64_t i = 0; i < nx; ++i)
        dst[nx * y + i] = static_cast<float>(acc[static_cast<std::size_t>(i)]);
      if (y + ry + 1 < ny)
        for (std::int64_t i = 0; i < nx; ++i)
          acc[static_cast<std::size_t>(i)] += slice[nx * (y + ry + 1) + i];
      if (y - ry >= 0)
        for (std::int64_t i = 0; i < nx; ++i)
          acc[static_cast<std::size_t>(i)] -= slice[nx * (y - ry) + i];
    }
  });
  if (nz == 1) return;
  // z across slices, one row of every slice at a time: image -> scratch, then swap.
  parallel_for(ny, [&](std::int64_t y) {
    std::vector<double> acc(static_cast<std::size_t>(nx), 0.0);
    auto row = [&](const float* base, std::int64_t z) { return base + nx * (y + ny * z); };
    for (std::int64_t k = 0; k <= std::min(rz, nz - 1); ++k)
      for (std::int64_t i = 0; i < nx; ++i) acc[static_cast<std::size_t>(i)] += row(in, k)[i];
    for (std::int64_t z = 0; z < nz; ++z) {
      float* dst = out + nx * (y + ny * z);
      for (std::int64_t i = 0; i < nx; ++i)
        dst[i] = static_cast<float>(acc[static_cast<std::size_t>(i)]);
      if (z + rz + 1 < nz)
        for (std::int64_t i = 0; i < nx; ++i)
          acc[static_cast<std::size_t>(i)] += row(in, z + rz + 1)[i];
      if (z - rz >= 0)
        for (std::int64_t i = 0; i < nx; ++i)
          acc[static_cast<std::size_t>(i)] -= row(in, z - rz)[i];
    }
  });
  std::swap(image.buffer(), scratch_);
}

void WindowSum::apply(Image<float>& image) const {
  if (kind_ == Kind::kBox) {
    apply_box(image);
    return;
  }
  const std::int64_t nx = size_[0], ny = size_[1], nz = size_[2];
  float* d = image.data();
  const bool box = false;
  // x and y lines within each slice; then z lines, parallel over y.
  parallel_for_slices(nz, [&](std::int64_t z) {
    std::vector<double> line(static_cast<std::size_t>(std::max(nx, ny)));
    float* slice = d + nx * ny * z;
    for (std::int64_t y = 0; y < ny; ++y)
      filter_line(slice + nx * y, 1, nx, kernel_[0], box, line, slice + nx * y);
    for (std::int64_t x = 0; x < nx; ++x)
      filter_line(slice + x, nx, ny, kernel_[1], box, line, slice + x);
  });
  if (nz > 1) {
    parallel_for(ny, [&](std::int64_t y) {
      std::vector<double> line(static_cast<std::size_t>(nz));
      for (std::int64_t x = 0; x < nx; ++x)
        filter_line(d + x + nx * y, nx * ny, nz, kernel_[2], box, line, d + x + nx * y);
    });
  }
}

}  // namespace modir::objective
