#pragma once

// The minimum-norm point of the convex hull of a few vectors, given their Gram matrix: the
// direction finder of multiple-gradient descent (Desideri 2012; Fliege & Svaiter 2000).

#include <vector>

namespace modir::optimize::pareto {

/// Weights alpha >= 0, sum 1, minimising |sum_i alpha_i g_i|^2 = alpha^T G alpha, where
/// G_ij = g_i . g_j. Exact: every support set S is tried (alpha_S proportional to G_S^-1 1,
/// nonnegative) and the one meeting the optimality condition (G alpha)_j >= alpha^T G alpha for
/// all j is returned. Meant for a handful of objectives (2^n support sets). When the minimum norm
/// is zero the point is Pareto-stationary: no direction improves every objective.
std::vector<double> min_norm_weights(const std::vector<std::vector<double>>& gram);

}  // namespace modir::optimize::pareto
