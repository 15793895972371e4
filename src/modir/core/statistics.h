#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

namespace modir {

/// The p-th percentile (p in [0, 100]) of `values`, interpolating linearly between order
/// statistics: rank p/100 * (n - 1), as numpy.percentile does by default, so the figures can be
/// checked with numpy. NaN for an empty set. The values are taken by copy because they are
/// partially sorted; float and double samples give the same figures (computed in double).
template <typename T>
double percentile(std::vector<T> values, double p) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double rank = std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(values.size() - 1);
  const auto lower = static_cast<std::size_t>(std::floor(rank));
  const std::size_t upper = std::min(lower + 1, values.size() - 1);
  // Only the two order statistics around the rank are needed, not a full sort.
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(lower),
                   values.end());
  const auto low_value = static_cast<double>(values[lower]);
  double high_value = low_value;
  if (upper != lower) {
    high_value = static_cast<double>(
        *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(upper), values.end()));
  }
  return low_value + (rank - static_cast<double>(lower)) * (high_value - low_value);
}

/// The median: percentile 50 (the mean of the two middle values for an even count).
template <typename T>
double median(std::vector<T> values) {
  return percentile(std::move(values), 50.0);
}

/// Arithmetic mean; NaN for an empty set.
double mean(const std::vector<double>& values);

}  // namespace modir
