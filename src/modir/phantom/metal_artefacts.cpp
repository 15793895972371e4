#include "modir/phantom/metal_artefacts.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "modir/core/parallel.h"
#include "modir/phantom/noise.h"

namespace modir::phantom {

namespace {

constexpr int kViews = 360;                // over 180 degrees
constexpr double kMuWaterPerMm = 0.0193;   // water at about 70 keV
constexpr double kHardeningPathMm = 20.0;  // metal path at which half the loss has set in

struct MetalPixel {
  double x, y;    // mm from the slice's centre
  double hu_mm2;  // (HU + 1000) times the pixel's area
  double area;
};

// Ram-Lak ramp filter on bins of width d, applied to the bins listed in `sources`.
void ramp_filter(const std::vector<double>& error, const std::vector<int>& sources, double d,
                 std::vector<double>& filtered) {
  std::fill(filtered.begin(), filtered.end(), 0.0);
  const int bins = static_cast<int>(error.size());
  const double centre = 1.0 / (4.0 * d * d), odd = -1.0 / (M_PI * M_PI * d * d);
  for (int src : sources) {
    const double e = error[src] * d;
    for (int b = 0; b < bins; ++b) {
      const int n = std::abs(b - src);
      if (n == 0)
        filtered[b] += e * centre;
      else if (n % 2 == 1)
        filtered[b] += e * odd / (double(n) * double(n));
    }
  }
}

}  // namespace

std::optional<StreakStrength> scan_streaks(const std::optional<HipProsthesis>& implant,
                                           const std::optional<StreakStrength>& markers) {
  if (implant) return StreakStrength{implant->beam_hardening, implant->starvation_cap};
  return markers;
}

void add_metal_artefacts(Image<float>& hu, const HipProsthesis& design, double noise_sigma_hu,
                         std::uint64_t seed) {
  add_metal_artefacts(hu, *scan_streaks(design, std::nullopt), noise_sigma_hu, seed);
}

void add_metal_artefacts(Image<float>& hu, const StreakStrength& design, double noise_sigma_hu,
                         std::uint64_t seed) {
  const Geometry& g = hu.geometry();
  const std::int64_t nx = g.size[0], ny = g.size[1];
  const double dx = g.spacing.x, dy = g.spacing.y, d = std::min(dx, dy);
  const double xc = 0.5 * double(nx - 1) * dx, yc = 0.5 * double(ny - 1) * dy;
  const double half_diagonal = 0.5 * std::hypot(double(nx) * dx, double(ny) * dy);
  const int bins = 2 * static_cast<int>(std::ceil(half_diagonal / d)) + 3;
  const double bin0 = 0.5 * double(bins - 1);
  std::vector<double> cosines(kViews), sines(kViews);
  for (int v = 0; v < kViews; ++v) {
    cosines[v] = std::cos(M_PI * v / kViews);
    sines[v] = std::sin(M_PI * v / kViews);
  }
  // Sinogram noise of one bin that back-projects to the scan's own noise level: filtered
  // back-projection of white noise of sigma s gives pi s / (d sqrt(12 views)).
  const double bin_sigma = noise_sigma_hu * d * std::sqrt(12.0 * kViews) / M_PI;

  parallel_for_slices(g.size[2], [&](std::int64_t k) {
    std::vector<MetalPixel> metal;
    for (std::int64_t j = 0; j < ny; ++j)
      for (std::int64_t i = 0; i < nx; ++i)
        if (hu(i, j, k) >= kMetalThresholdHu)
          metal.push_back({double(i) * dx - xc, double(j) * dy - yc,
                           (double(hu(i, j, k)) + 1000.0) * dx * dy, dx * dy});
    if (metal.empty()) return;
    Rng rng(mix_bits(seed ^ (0x9E3779B97F4A7C15ull * std::uint64_t(k + 1))));
    // filtered[v][b]: each view's error, ramp-filtered, in HU / mm (back-projection makes HU).
    std::vector<std::vector<double>> filtered(kViews, std::vector<double>(bins, 0.0));
    std::vector<double> path(bins), integral(bins), error(bins);
    std::vector<int> sources;
    for (int v = 0; v < kViews; ++v) {
      std::fill(path.begin(), path.end(), 0.0);
      std::fill(integral.begin(), integral.end(), 0.0);
      for (const MetalPixel& m : metal) {
        const double f = (m.x * cosines[v] + m.y * sines[v]) / d + bin0;
        const int b = std::clamp(static_cast<int>(std::floor(f)), 0, bins - 2);
        const double w = f - double(b);
        path[b] += (1.0 - w) * m.area / d;
        path[b + 1] += w * m.area / d;
        integral[b] += (1.0 - w) * m.hu_mm2 / d;
        integral[b + 1] += w * m.hu_mm2 / d;
      }
      sources.clear();
      for (int b = 0; b < bins; ++b) {
        error[b] = 0.0;
        if (path[b] <= 0.0) continue;
        sources.push_back(b);
        const double hardening = design.beam_hardening * path[b] / (path[b] + kHardeningPathMm);
        const double attenuation =
            std::min(kMuWaterPerMm * integral[b] / 1000.0, design.starvation_cap);
        error[b] = -integral[b] * hardening +
                   bin_sigma * std::sqrt(std::expm1(attenuation)) * rng.normal();
      }
      ramp_filter(error, sources, d, filtered[v]);
    }
    const double weight = M_PI / kViews;
    for (std::int64_t j = 0; j < ny; ++j) {
      const double y = double(j) * dy - yc;
      for (std::int64_t i = 0; i < nx; ++i) {
        const double x = double(i) * dx - xc;
        double sum = 0.0;
        for (int v = 0; v < kViews; ++v) {
          const double f = (x * cosines[v] + y * sines[v]) / d + bin0;
          const int b = std::clamp(static_cast<int>(std::floor(f)), 0, bins - 2);
          const double w = f - double(b);
          sum += (1.0 - w) * filtered[v][b] + w * filtered[v][b + 1];
        }
        hu(i, j, k) += static_cast<float>(weight * sum);
      }
    }
  });
}

}  // namespace modir::phantom
