#include "modir/objective/similarity/mind_ssc.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "modir/core/error.h"
#include "modir/core/parallel.h"

namespace modir::objective {

namespace {

std::int64_t clamp_index(std::int64_t i, std::int64_t length) {
  return std::clamp<std::int64_t>(i, 0, length - 1);
}

// The squared differences (I(x + a) - I(x + b))^2 of one channel, summed along x over
// [x - radius, x + radius], written to `out`. Both steps replicate the edge.
void squared_difference_box_x(const Image<float>& image, const MindSscPair& pair, int dilation,
                              int radius, Image<float>& out) {
  const Size3& n = image.size();
  const std::array<int, 3>& a = pair.first;
  const std::array<int, 3>& b = pair.second;
  const std::int64_t ax = a[0] * dilation;
  const std::int64_t bx = b[0] * dilation;
  // Columns where neither shifted neighbour leaves the row: there no clamping is needed and the
  // loop vectorises. Only the few columns outside clamp.
  const std::int64_t inner_begin = std::min(n[0], std::max<std::int64_t>({0, -ax, -bx}));
  const std::int64_t inner_end = std::max(inner_begin, std::min({n[0], n[0] - ax, n[0] - bx}));
  const float* in = image.data();
  float* dst = out.data();
  parallel_for_slices(n[2], [&](std::int64_t z) {
    // One row of squared differences with `radius` replicated entries on each side, so the box
    // sum needs no clamping.
    std::vector<float> padded(static_cast<std::size_t>(n[0] + 2 * radius));
    const std::int64_t za = clamp_index(z + a[2] * dilation, n[2]);
    const std::int64_t zb = clamp_index(z + b[2] * dilation, n[2]);
    for (std::int64_t y = 0; y < n[1]; ++y) {
      const float* row_a = in + (za * n[1] + clamp_index(y + a[1] * dilation, n[1])) * n[0];
      const float* row_b = in + (zb * n[1] + clamp_index(y + b[1] * dilation, n[1])) * n[0];
      float* q = padded.data() + radius;
      const auto clamped_square = [&](std::int64_t x) {
        const float d = row_a[clamp_index(x + ax, n[0])] - row_b[clamp_index(x + bx, n[0])];
        return d * d;
      };
      for (std::int64_t x = 0; x < inner_begin; ++x) q[x] = clamped_square(x);
      for (std::int64_t x = inner_begin; x < inner_end; ++x) {
        const float d = row_a[x + ax] - row_b[x + bx];
        q[x] = d * d;
      }
      for (std::int64_t x = inner_end; x < n[0]; ++x) q[x] = clamped_square(x);
      for (int k = 1; k <= radius; ++k) {
        q[-k] = q[0];
        q[n[0] - 1 + k] = q[n[0] - 1];
      }
      float* row_out = dst + (z * n[1] + y) * n[0];
      std::fill(row_out, row_out + n[0], 0.0f);
      for (int k = -radius; k <= radius; ++k) {
        for (std::int64_t x = 0; x < n[0]; ++x) row_out[x] += q[x + k];
      }
    }
  });
}

// Sums `in` along y over [y - radius, y + radius] with the edge replicated.
void box_sum_y(const Image<float>& in, int radius, Image<float>& out) {
  const Size3& n = in.size();
  parallel_for_slices(n[2], [&](std::int64_t z) {
    for (std::int64_t y = 0; y < n[1]; ++y) {
      float* row_out = out.data() + (z * n[1] + y) * n[0];
      std::fill(row_out, row_out + n[0], 0.0f);
      for (int k = -radius; k <= radius; ++k) {
        const float* row_in = in.data() + (z * n[1] + clamp_index(y + k, n[1])) * n[0];
        for (std::int64_t x = 0; x < n[0]; ++x) row_out[x] += row_in[x];
      }
    }
  });
}

// Sums `in` along z over [z - radius, z + radius] with the edge replicated, times `scale`.
void box_sum_z(const Image<float>& in, int radius, float scale, Image<float>& out) {
  const Size3& n = in.size();
  const std::int64_t slice_voxels = n[0] * n[1];
  parallel_for_slices(n[2], [&](std::int64_t z) {
    float* slice_out = out.data() + z * slice_voxels;
    std::fill(slice_out, slice_out + slice_voxels, 0.0f);
    for (int k = -radius; k <= radius; ++k) {
      const float* slice_in = in.data() + clamp_index(z + k, n[2]) * slice_voxels;
      for (std::int64_t i = 0; i < slice_voxels; ++i) slice_out[i] += slice_in[i];
    }
    for (std::int64_t i = 0; i < slice_voxels; ++i) slice_out[i] *= scale;
  });
}

}  // namespace

std::vector<Image<float>> mind_ssc_descriptors(const Image<float>& image, int radius,
                                               int dilation) {
  if (radius < 0) throw usage_error("MIND-SSC: the patch radius must be >= 0, not {}", radius);
  if (dilation < 1) throw usage_error("MIND-SSC: the dilation must be >= 1, not {}", dilation);

  const Geometry& geometry = image.geometry();
  const Size3& n = image.size();
  const std::int64_t slice_voxels = n[0] * n[1];
  constexpr std::size_t kChannels = kMindSscPairs.size();
  std::vector<Image<float>> channels(kChannels, Image<float>(geometry));
  if (image.voxel_count() == 0) return channels;
  Image<float> row_sums(geometry);
  Image<float> plane_sums(geometry);

  // Patch distances D_c, one separable box mean per channel.
  const float patch_mean =
      1.0f / static_cast<float>((2 * radius + 1) * (2 * radius + 1) * (2 * radius + 1));
  for (std::size_t c = 0; c < kChannels; ++c) {
    squared_difference_box_x(image, kMindSscPairs[c], dilation, radius, row_sums);
    box_sum_y(row_sums, radius, plane_sums);
    box_sum_z(plane_sums, radius, patch_mean, channels[c]);
  }

  std::array<float*, kChannels> d{};
  for (std::size_t c = 0; c < kChannels; ++c) d[c] = channels[c].data();

  // Local variance estimate V = mean of the channels (kept in row_sums), and its image mean,
  // summed per slice in double and reduced in slice order. The loops run channel by channel over
  // a whole slice so that they stream through memory and vectorise.
  float* variance = row_sums.data();
  std::vector<double> slice_sums(static_cast<std::size_t>(n[2]), 0.0);
  parallel_for_slices(n[2], [&](std::int64_t z) {
    const std::int64_t begin = z * slice_voxels;
    float* v = variance + begin;
    std::copy(d[0] + begin, d[0] + begin + slice_voxels, v);
    for (std::size_t c = 1; c < kChannels; ++c) {
      const float* dc = d[c] + begin;
      for (std::int64_t i = 0; i < slice_voxels; ++i) v[i] += dc[i];
    }
    double slice_sum = 0.0;
    for (std::int64_t i = 0; i < slice_voxels; ++i) {
      v[i] /= static_cast<float>(kChannels);
      slice_sum += v[i];
    }
    slice_sums[static_cast<std::size_t>(z)] = slice_sum;
  });
  double total = 0.0;
  for (double s : slice_sums) total += s;
  const double mean_variance = total / static_cast<double>(image.voxel_count());

  if (!(mean_variance > 0.0)) {
    // Constant image: every patch distance is zero, every channel equally similar.
    for (Image<float>& channel : channels) {
      std::fill(channel.buffer().begin(), channel.buffer().end(), 1.0f);
    }
    return channels;
  }
  // The clamp keeps flat regions (V near 0) from turning noise into strong structure, and
  // keeps a few extreme edges from flattening their neighbourhood.
  const float lowest = static_cast<float>(0.001 * mean_variance);
  const float highest = static_cast<float>(1000.0 * mean_variance);

  // Dividing by the largest exp(-D_c / V) is subtracting the smallest D_c in the exponent, which
  // also keeps the largest value exactly 1.
  float* smallest = plane_sums.data();
  parallel_for_slices(n[2], [&](std::int64_t z) {
    const std::int64_t begin = z * slice_voxels;
    float* low = smallest + begin;
    float* v = variance + begin;
    std::copy(d[0] + begin, d[0] + begin + slice_voxels, low);
    for (std::size_t c = 1; c < kChannels; ++c) {
      const float* dc = d[c] + begin;
      for (std::int64_t i = 0; i < slice_voxels; ++i) low[i] = dc[i] < low[i] ? dc[i] : low[i];
    }
    for (std::int64_t i = 0; i < slice_voxels; ++i) {
      v[i] = 1.0f / std::clamp(v[i], lowest, highest);
    }
    for (std::size_t c = 0; c < kChannels; ++c) {
      float* dc = d[c] + begin;
      for (std::int64_t i = 0; i < slice_voxels; ++i) dc[i] = std::exp(-(dc[i] - low[i]) * v[i]);
    }
  });
  return channels;
}

}  // namespace modir::objective
