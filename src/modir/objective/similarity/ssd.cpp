#include "modir/objective/similarity/ssd.h"

#include <algorithm>
#include <vector>

#include "modir/core/parallel.h"

namespace modir::objective {

namespace {

// Fixed-size chunks reduced in order: the same sum for any thread count.
constexpr std::int64_t kChunk = 1 << 16;

}  // namespace

double SumOfSquaredDifferences::evaluate(const Image<float>& fixed, const Image<float>& warped,
                                         const VoxelWeights* weights, Image<float>* dE_dwarped,
                                         Image<float>* dE_dweight) {
  const std::int64_t n = fixed.voxel_count();
  const float* f = fixed.data();
  const float* w = warped.data();
  const float* q = weights ? weights->data() : nullptr;
  const std::int64_t chunks = (n + kChunk - 1) / kChunk;

  if (variance_of_ != f) {
    std::vector<double> sum(static_cast<std::size_t>(chunks)), sq(sum.size()), count(sum.size());
    parallel_for(chunks, [&](std::int64_t c) {
      double s = 0, sq_sum = 0, k = 0;
      for (std::int64_t i = c * kChunk; i < std::min(n, (c + 1) * kChunk); ++i) {
        const double qi = voxel_weight(q, i);
        if (qi == 0.0) continue;
        s += qi * f[i];
        sq_sum += qi * static_cast<double>(f[i]) * f[i];
        k += qi;
      }
      sum[static_cast<std::size_t>(c)] = s;
      sq[static_cast<std::size_t>(c)] = sq_sum;
      count[static_cast<std::size_t>(c)] = k;
    });
    double s = 0, sq_sum = 0, k = 0;
    for (std::size_t c = 0; c < sum.size(); ++c) s += sum[c], sq_sum += sq[c], k += count[c];
    const double mean = k > 0 ? s / k : 0.0;
    variance_ = k > 0 ? std::max(sq_sum / k - mean * mean, 1e-12) : 1.0;
    variance_of_ = f;
  }

  std::vector<double> sum(static_cast<std::size_t>(chunks)), count(sum.size());
  parallel_for(chunks, [&](std::int64_t c) {
    double s = 0, k = 0;
    for (std::int64_t i = c * kChunk; i < std::min(n, (c + 1) * kChunk); ++i) {
      const double qi = voxel_weight(q, i);
      if (qi == 0.0) continue;
      const double d = static_cast<double>(w[i]) - f[i];
      s += qi * d * d;
      k += qi;
    }
    sum[static_cast<std::size_t>(c)] = s;
    count[static_cast<std::size_t>(c)] = k;
  });
  double s = 0, k = 0;
  for (std::size_t c = 0; c < sum.size(); ++c) s += sum[c], k += count[c];
  if (k == 0) {
    if (dE_dwarped) *dE_dwarped = Image<float>(fixed.geometry(), 0.0f);
    if (dE_dweight) *dE_dweight = Image<float>(fixed.geometry(), 0.0f);
    return 0.0;
  }
  const double scale = 1.0 / (k * variance_);
  const double value = s * scale;
  if (dE_dwarped) {
    shape_like(fixed, *dE_dwarped);
    float* g = dE_dwarped->data();
    parallel_for(chunks, [&](std::int64_t c) {
      for (std::int64_t i = c * kChunk; i < std::min(n, (c + 1) * kChunk); ++i)
        g[i] = static_cast<float>(2.0 * scale * voxel_weight(q, i) *
                                  (static_cast<double>(w[i]) - f[i]));
    });
  }
  if (dE_dweight) {
    shape_like(fixed, *dE_dweight);
    float* g = dE_dweight->data();
    parallel_for(chunks, [&](std::int64_t c) {
      for (std::int64_t i = c * kChunk; i < std::min(n, (c + 1) * kChunk); ++i) {
        const double d = static_cast<double>(w[i]) - f[i];
        g[i] = static_cast<float>((d * d / variance_ - value) / k);
      }
    });
  }
  return value;
}

}  // namespace modir::objective
