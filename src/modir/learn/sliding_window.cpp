#include "modir/learn/sliding_window.h"

#include <algorithm>
#include <cmath>

#include "modir/core/error.h"

namespace modir::learn {

std::vector<std::int64_t> window_starts(std::int64_t size, std::int64_t patch, double overlap) {
  if (patch < 1 || size < patch)
    throw data_error("window_starts: a patch of {} does not fit an axis of {}", patch, size);
  const double step = std::max(1.0, double(patch) * (1.0 - std::clamp(overlap, 0.0, 0.99)));
  const auto windows = static_cast<std::int64_t>(std::ceil(double(size - patch) / step - 1e-9)) + 1;
  std::vector<std::int64_t> starts;
  for (std::int64_t w = 0; w < windows; ++w) {
    const double position =
        windows == 1 ? 0.0 : double(w) * double(size - patch) / double(windows - 1);
    starts.push_back(static_cast<std::int64_t>(std::llround(position)));
  }
  return starts;
}

std::vector<float> gaussian_importance(const Size3& patch, double sigma_fraction) {
  std::vector<double> axis[3];
  for (std::size_t a = 0; a < 3; ++a) {
    const double centre = 0.5 * double(patch[a] - 1);
    const double sigma = std::max(1e-3, sigma_fraction * double(patch[a]));
    for (std::int64_t i = 0; i < patch[a]; ++i) {
      const double d = (double(i) - centre) / sigma;
      axis[a].push_back(std::exp(-0.5 * d * d));
    }
  }
  std::vector<float> weights(static_cast<std::size_t>(patch[0] * patch[1] * patch[2]));
  double peak = 0.0;
  std::size_t i = 0;
  for (std::int64_t z = 0; z < patch[2]; ++z)
    for (std::int64_t y = 0; y < patch[1]; ++y)
      for (std::int64_t x = 0; x < patch[0]; ++x, ++i) {
        const double w =
            axis[0][std::size_t(x)] * axis[1][std::size_t(y)] * axis[2][std::size_t(z)];
        weights[i] = static_cast<float>(w);
        peak = std::max(peak, w);
      }
  for (float& w : weights) w = std::max(static_cast<float>(w / peak), 1e-3f);
  return weights;
}

}  // namespace modir::learn
