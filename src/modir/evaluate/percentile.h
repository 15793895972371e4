#pragma once

#include <vector>

namespace modir::evaluate {

/// The p-th percentile (p in [0, 100]) of `values`, interpolating linearly between order
/// statistics: rank p/100 * (n - 1), as numpy.percentile does by default, so the figures can be
/// checked with numpy. NaN for an empty set. The values are taken by copy because they are sorted.
double percentile(std::vector<double> values, double p);

/// Arithmetic mean; NaN for an empty set.
double mean(const std::vector<double>& values);

}  // namespace modir::evaluate
