#include "modir/dataset/intensity_profile.h"

#include <algorithm>
#include <cmath>

#include "modir/core/hounsfield.h"

namespace modir::dataset {

namespace {

double median_of(std::vector<double>& values) {
  if (values.empty()) return 0.0;
  const auto mid = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), mid, values.end());
  return *mid;
}

// A small Gaussian smoothing of the histogram (sigma 2 bins), so sub-bin shifts are measurable.
std::vector<double> smoothed(const std::vector<double>& h) {
  const int radius = 6;
  std::vector<double> kernel(2 * radius + 1);
  for (int i = -radius; i <= radius; ++i) kernel[i + radius] = std::exp(-0.5 * i * i / 4.0);
  std::vector<double> out(h.size(), 0.0);
  const auto n = static_cast<int>(h.size());
  for (int i = 0; i < n; ++i) {
    double sum = 0, weight = 0;
    for (int k = -radius; k <= radius; ++k) {
      if (i + k < 0 || i + k >= n) continue;
      sum += kernel[k + radius] * h[i + k];
      weight += kernel[k + radius];
    }
    out[i] = sum / weight;
  }
  return out;
}

}  // namespace

IntensityProfile intensity_profile(const Image<float>& image) {
  IntensityProfile p;
  const auto bins = static_cast<std::size_t>((kHistogramHigh - kHistogramLow) / kHistogramBin);
  p.histogram.assign(bins, 0.0);
  double total = 0;
  std::int64_t metal = 0;
  for (const float v : image.buffer()) {
    metal += v >= kMetalHu;
    if (!(v >= kHistogramLow && v < kHistogramHigh)) continue;
    p.histogram[static_cast<std::size_t>((v - kHistogramLow) / kHistogramBin)] += 1;
    total += 1;
  }
  if (total > 0)
    for (double& h : p.histogram) h /= total;
  const Vec3d& spacing = image.geometry().spacing;
  p.metal_ml = double(metal) * spacing.x * spacing.y * spacing.z / 1000.0;

  // Differences along x between neighbours that are both soft tissue (fat to muscle).
  std::vector<double> differences;
  const Size3 n = image.size();
  const std::int64_t stride = std::max<std::int64_t>(1, n[2] / 16);  // a sample of slices
  for (std::int64_t z = 0; z < n[2]; z += stride)
    for (std::int64_t y = 0; y < n[1]; ++y)
      for (std::int64_t x = 0; x + 1 < n[0]; ++x) {
        const double a = image(x, y, z), b = image(x + 1, y, z);
        if (a > -250 && a < 200 && b > -250 && b < 200) differences.push_back(std::abs(a - b));
      }
  p.noise_sigma_hu = median_of(differences) / 0.6745 / std::sqrt(2.0);
  return p;
}

double histogram_shift(const std::vector<double>& histogram, const std::vector<double>& reference,
                       double max_shift_hu) {
  if (histogram.size() != reference.size() || histogram.empty()) return 0.0;
  const std::vector<double> h = smoothed(histogram), r = smoothed(reference);
  const auto n = static_cast<int>(h.size());
  const int max_bins = static_cast<int>(max_shift_hu / kHistogramBin);
  std::vector<double> score(2 * max_bins + 1, 0.0);
  for (int s = -max_bins; s <= max_bins; ++s) {
    double sum = 0;
    for (int i = std::max(0, s); i < std::min(n, n + s); ++i) sum += h[i] * r[i - s];
    score[s + max_bins] = sum;
  }
  const auto best = static_cast<int>(std::max_element(score.begin(), score.end()) - score.begin());
  double refined = best;
  if (best > 0 && best + 1 < static_cast<int>(score.size())) {
    const double a = score[best - 1], b = score[best], c = score[best + 1];
    const double denominator = a - 2 * b + c;
    if (denominator < 0) refined += 0.5 * (a - c) / denominator;
  }
  return (refined - max_bins) * kHistogramBin;
}

}  // namespace modir::dataset
