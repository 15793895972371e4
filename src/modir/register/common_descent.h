#pragma once

// Multiple-gradient descent on one pyramid level: moves a solution so that every objective
// improves at once. The Pareto front uses it so that its solution with the config's weights
// dominates the single registration with those weights, which stops before full convergence.

#include <vector>

#include "modir/register/energy.h"
#include "modir/register/registration.h"

namespace modir::reg::detail {

struct CommonDescentResult {
  int steps = 0;        ///< steps taken (each lowered every objective)
  int evaluations = 0;  ///< energy evaluations, gradient ones included
  bool stationary = false;  ///< stopped because no direction lowers every objective
};

/// Up to `steps` steps along d = -sum_i alpha_i g_i, where g_i are the gradients of the objective
/// groups that have terms (group weights applied) and, when the fold guard is active, of the
/// guard, and alpha is the minimum-norm point of their convex hull (optimize/pareto/min_norm.h):
/// then g_i . d <= -|d|^2 for every i (Desideri 2012). A step starts where the largest
/// coefficient moves `max_step_mm` and is halved until every group's weighted value meets
/// Armijo's condition along its own slope and the guard has not grown; a step that cannot be
/// found ends the descent, leaving theta where it was. So the result dominates the start in
/// the groups' values. `log` gets the end term values and the counts added.
CommonDescentResult common_descent(Energy& energy, std::vector<double>& theta, int steps,
                                   double max_step_mm, LevelLog& log);

}  // namespace modir::reg::detail
