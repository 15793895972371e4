#pragma once

// Dense solves of the few-unknown systems the Pareto tools need (a hyperplane through extreme
// points, the KKT system of a minimum-norm problem).

#include <optional>
#include <vector>

namespace modir::optimize::pareto {

/// Solves a x = b by Gaussian elimination with partial pivoting. Empty when a pivot is not
/// larger than `relative_pivot_tolerance` times the largest |entry| of a (singular to rounding),
/// or when the entries are not finite.
std::optional<std::vector<double>> solve_small_linear_system(std::vector<std::vector<double>> a,
                                                             std::vector<double> b,
                                                             double relative_pivot_tolerance);

}  // namespace modir::optimize::pareto
