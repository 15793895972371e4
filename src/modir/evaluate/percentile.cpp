#include "modir/evaluate/percentile.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace modir::evaluate {

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double rank = std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(values.size() - 1);
  const auto lower = static_cast<std::size_t>(std::floor(rank));
  const std::size_t upper = std::min(lower + 1, values.size() - 1);
  // Only the two order statistics around the rank are needed, not a full sort.
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(lower),
                   values.end());
  const double low_value = values[lower];
  double high_value = low_value;
  if (upper != lower) {
    high_value =
        *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(upper), values.end());
  }
  return low_value + (rank - static_cast<double>(lower)) * (high_value - low_value);
}

double mean(const std::vector<double>& values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

}  // namespace modir::evaluate
