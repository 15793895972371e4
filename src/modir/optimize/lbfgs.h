#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace modir::optimize {

/// f(x), writing df/dx into `gradient` (same size as x). The optimiser knows nothing else.
/// Returning inf or NaN (value or gradient) is allowed away from the start: the line search reads
/// it as "this step went too far" and shortens the step.
using ObjectiveFunction =
    std::function<double(std::span<const double> x, std::span<double> gradient)>;

/// Correction pairs (s = x_new - x_old, y = g_new - g_old), oldest first: the curvature an
/// L-BFGS run has learnt. A run may start from another run's pairs, e.g. on a neighbouring
/// problem of a continuation (the next weight vector of a Pareto front).
struct LbfgsMemory {
  std::vector<std::vector<double>> s, y;
};

struct LbfgsOptions {
  int max_iterations = 100;  ///< accepted steps (0: evaluate the start only)
  int memory = 7;            ///< correction pairs kept
  /// Stop when the relative decrease (f_prev - f) / max(|f_prev|, |f|, 1e-12) stays below this
  /// for `patience` consecutive iterations.
  double relative_tolerance = 1e-5;
  int patience = 3;
  double gradient_tolerance =
      1e-10;  ///< stop when |g|_inf is at or below this (0 stops only at g = 0)
  int max_line_search_evaluations = 20;
  /// Length of the very first step along -g, in the units of x (L-BFGS has no curvature yet):
  /// the first trial point is x - initial_step * g / |g|_2, so |step|_2 = initial_step. Later
  /// steepest-descent steps (after the memory was reset) start from the length of the last
  /// accepted step instead.
  double initial_step = 1.0;
  /// Pairs to start from instead of an empty memory (the newest `memory` are kept; pairs of
  /// another length than x are an error). The first step is then a quasi-Newton step. Any pair
  /// kept has s.y > 0, so the directions stay descent directions; the line search does the rest.
  const LbfgsMemory* initial_memory = nullptr;
  /// Return the final pairs in LbfgsResult::memory.
  bool return_memory = false;
};

/// The values LbfgsResult::stop_reason takes.
namespace lbfgs_stop {
inline constexpr std::string_view kGradient = "converged: gradient";
inline constexpr std::string_view kRelativeDecrease = "converged: relative decrease";
inline constexpr std::string_view kMaxIterations = "max iterations";
/// Neither the L-BFGS direction nor, after resetting the memory, steepest descent found any
/// point lower than the current one within max_line_search_evaluations.
inline constexpr std::string_view kLineSearchFailed = "line search failed";
/// As kLineSearchFailed, but steepest descent's search ended because no step left in its bracket
/// could lower f by relative_tolerance |f|: f is flat at the scale that counts as progress (near
/// an optimum whose values no longer resolve small steps), a convergence.
inline constexpr std::string_view kFlat = "converged: no step left that counts as progress";
}  // namespace lbfgs_stop

struct LbfgsResult {
  double value = 0.0;  ///< f at the returned x (== history.back())
  int iterations = 0;
  int evaluations = 0;          ///< calls of f, line-search trials included
  std::string stop_reason;      ///< one of lbfgs_stop
  std::vector<double> history;  ///< f after every accepted iteration (index 0: the start)
  LbfgsMemory memory;           ///< the final pairs, with LbfgsOptions::return_memory
};

/// Minimises f from x (updated in place) by limited-memory BFGS with a line search satisfying
/// the strong Wolfe conditions (c1 = 1e-4, c2 = 0.9). `on_iteration(iteration, value)` is called
/// after each accepted step, iteration counting from 1.
///
/// Every accepted step lowers f, so the returned x is never worse than the start. A step is
/// normally accepted when it satisfies the strong Wolfe conditions; when the line search fails
/// but did find a lower point, the lowest point is accepted and the memory is reset (the next
/// step is steepest descent). When no lower point is found, the memory is reset and steepest
/// descent is tried once before stopping with lbfgs_stop::kLineSearchFailed.
///
/// f is called once per trial point; the value and gradient of the accepted trial are reused.
/// Throws modir::Error (usage) for invalid options or an empty x, and modir::Error (data) when f
/// or its gradient is not finite at the start.
LbfgsResult minimize_lbfgs(const ObjectiveFunction& f, std::span<double> x,
                           const LbfgsOptions& options = {},
                           const std::function<void(int, double)>& on_iteration = {});

}  // namespace modir::optimize
