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
                                         const Mask* mask, Image<float>* dE_dwarped) {
  const std::int64_t n = fixed.voxel_count();
  const float* f = fixed.data();
  const float* w = warped.data();
  const std::uint8_t* m = mask ? mask->data() : nullptr;
  const std::int64_t chunks = (n + kChunk - 1) / kChunk;

  if (variance_of_ != f) {
    std::vector<double> sum(static_cast<std::size_t>(chunks)), sq(sum.size()), count(sum.size());
    parallel_for(chunks, [&](std::int64_t c) {
      double s = 0, q = 0, k = 0;
      for (std::int64_t i = c * kChunk; i < std::min(n, (c + 1) * kChunk); ++i) {
        if (m && !m[i]) continue;
        s += f[i];
        q += static_cast<double>(f[i]) * f[i];
        k += 1;
      }
      sum[static_cast<std::size_t>(c)] = s;
      sq[static_cast<std::size_t>(c)] = q;
      count[static_cast<std::size_t>(c)] = k;
    });
    double s = 0, q = 0, k = 0;
    for (std::size_t c = 0; c < sum.size(); ++c) s += sum[c], q += sq[c], k += count[c];
    const double mean = k > 0 ? s / k : 0.0;
    variance_ = k > 0 ? std::max(q / k - mean * mean, 1e-12) : 1.0;
    variance_of_ = f;
  }

  std::vector<double> sum(static_cast<std::size_t>(chunks)), count(sum.size());
  parallel_for(chunks, [&](std::int64_t c) {
    double s = 0, k = 0;
    for (std::int64_t i = c * kChunk; i < std::min(n, (c + 1) * kChunk); ++i) {
      if (m && !m[i]) continue;
      const double d = static_cast<double>(w[i]) - f[i];
      s += d * d;
      k += 1;
    }
    sum[static_cast<std::size_t>(c)] = s;
    count[static_cast<std::size_t>(c)] = k;
  });
  double s = 0, k = 0;
  for (std::size_t c = 0; c < sum.size(); ++c) s += sum[c], k += count[c];
  if (k == 0) {
    if (dE_dwarped) *dE_dwarped = Image<float>(fixed.geometry(), 0.0f);
    return 0.0;
  }
  const double scale = 1.0 / (k * variance_);
  if (dE_dwarped) {
    if (!dE_dwarped->geometry().same_grid(fixed.geometry(), 0.0))
      *dE_dwarped = Image<float>(fixed.geometry());
    float* g = dE_dwarped->data();
    parallel_for(chunks, [&](std::int64_t c) {
      for (std::int64_t i = c * kChunk; i < std::min(n, (c + 1) * kChunk); ++i) {
        g[i] = (m && !m[i]) ? 0.0f
                            : static_cast<float>(2.0 * scale * (static_cast<double>(w[i]) - f[i]));
      }
    });
  }
  return s * scale;
}

}  // namespace modir::objective
