#include "modir/optimize/lbfgs.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <utility>

#include "modir/core/error.h"

namespace modir::optimize {
namespace {

// Strong Wolfe constants: sufficient decrease and curvature (the usual quasi-Newton choice).
constexpr double kSufficientDecrease = 1e-4;
constexpr double kCurvature = 0.9;
// Growth of the trial step while the line search has not yet bracketed a minimum.
constexpr double kExpansionFactor = 4.0;
// Interpolated trials closer than this fraction of the bracket to one of its ends are replaced by
// the midpoint, so that every trial shrinks the bracket by a useful amount.
constexpr double kInterpolationMargin = 0.1;

double dot(std::span<const double> a, std::span<const double> b) {
  double sum = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += a[i] * b[i];
  return sum;
}

double norm2(std::span<const double> a) {
  return std::sqrt(dot(a, a));
}

double inf_norm(std::span<const double> a) {
  double largest = 0.0;
  for (double v : a) largest = std::max(largest, std::abs(v));
  return largest;
}

bool all_finite(std::span<const double> a) {
  return std::all_of(a.begin(), a.end(), [](double v) { return std::isfinite(v); });
}

/// f with a count of its calls.
class CountedObjective {
 public:
  explicit CountedObjective(const ObjectiveFunction& f) : f_(f) {}
  double operator()(std::span<const double> x, std::span<double> gradient) {
    ++evaluations_;
    return f_(x, gradient);
  }
  int evaluations() const { return evaluations_; }

 private:
  const ObjectiveFunction& f_;
  int evaluations_ = 0;
};

/// The last `capacity` correction pairs (s = x_new - x_old, y = g_new - g_old) in a ring, and
/// the two-loop recursion applying the inverse Hessian approximation they define.
class CorrectionMemory {
 public:
  CorrectionMemory(int capacity, std::size_t n)
      : s_(static_cast<std::size_t>(capacity), std::vector<double>(n)),
        y_(static_cast<std::size_t>(capacity), std::vector<double>(n)),
        rho_(static_cast<std::size_t>(capacity)),
        alpha_(static_cast<std::size_t>(capacity)) {}

  bool empty() const { return count_ == 0; }
  void clear() { count_ = 0; }

  /// Takes over another run's pairs (the newest that fit), skipping any with s.y <= 0.
  void load(const LbfgsMemory& from) {
    clear();
    const std::size_t pairs = std::min(from.s.size(), from.y.size());
    const std::size_t first = pairs > s_.size() ? pairs - s_.size() : 0;
    std::vector<double> zero(s_.empty() ? 0 : s_[0].size(), 0.0);
    for (std::size_t k = first; k < pairs; ++k) {
      if (from.s[k].size() != zero.size() || from.y[k].size() != zero.size())
        throw usage_error("L-BFGS: a warm-start pair has {} entries, x has {}", from.s[k].size(),
                          zero.size());
      add(zero, from.s[k], zero, from.y[k]);
    }
  }

  LbfgsMemory save() const {
    LbfgsMemory out;
    for (std::size_t k = 0; k < count_; ++k) {
      const std::size_t slot = (first_ + k) % s_.size();
      out.s.push_back(s_[slot]);
      out.y.push_back(y_[slot]);
    }
    return out;
  }

  /// Stores the pair of a step unless s.y is too small: a pair with s.y <= 0 would make the
  /// approximation indefinite, and a tiny one is dominated by rounding.
  void add(std::span<const double> x_old, std::span<const double> x_new,
           std::span<const double> g_old, std::span<const double> g_new) {
    // Measured before storing: when the ring is full the slot written is the oldest pair's, which
    // must survive if this pair is skipped.
    double sy = 0.0;
    double yy = 0.0;
    for (std::size_t i = 0; i < x_old.size(); ++i) {
      const double y = g_new[i] - g_old[i];
      sy += (x_new[i] - x_old[i]) * y;
      yy += y * y;
    }
    if (!(sy > std::numeric_limits<double>::epsilon() * yy) || !std::isfinite(sy)) return;
    const std::size_t slot = (first_ + count_) % s_.size();
    for (std::size_t i = 0; i < x_old.size(); ++i) {
      s_[slot][i] = x_new[i] - x_old[i];
      y_[slot][i] = g_new[i] - g_old[i];
    }
    rho_[slot] = 1.0 / sy;
    if (count_ < s_.size()) {
      ++count_;
    } else {
      first_ = (first_ + 1) % s_.size();
    }
  }

  /// direction = -H g, H scaled initially by gamma = s.y / y.y of the newest pair.
  void descent_direction(std::span<const double> g, std::span<double> direction) {
    std::copy(g.begin(), g.end(), direction.begin());
    for (std::size_t k = count_; k-- > 0;) {
      const std::size_t slot = (first_ + k) % s_.size();
      alpha_[slot] = rho_[slot] * dot(s_[slot], direction);
      axpy(-alpha_[slot], y_[slot], direction);
    }
    const std::size_t newest = (first_ + count_ - 1) % s_.size();
    const double gamma = 1.0 / (rho_[newest] * dot(y_[newest], y_[newest]));
    for (double& v : direction) v *= gamma;
    for (std::size_t k = 0; k < count_; ++k) {
      const std::size_t slot = (first_ + k) % s_.size();
      const double beta = rho_[slot] * dot(y_[slot], direction);
      axpy(alpha_[slot] - beta, s_[slot], direction);
    }
    for (double& v : direction) v = -v;
  }

 private:
  static void axpy(double a, std::span<const double> x, std::span<double> y) {
    for (std::size_t i = 0; i < y.size(); ++i) y[i] += a * x[i];
  }

  std::vector<std::vector<double>> s_, y_;
  std::vector<double> rho_, alpha_;
  std::size_t first_ = 0;
  std::size_t count_ = 0;
};

/// phi(alpha) = f(x + alpha d) at one trial step, with slope phi'(alpha) = g(x + alpha d).d.
struct Trial {
  double alpha = 0.0;
  double value = 0.0;
  double slope = 0.0;
  bool finite = true;
};

struct LineSearchOutcome {
  bool improved = false;  ///< a point lower than phi(0) was found; it is in x_trial / g_trial
  bool wolfe = false;     ///< that point satisfies the strong Wolfe conditions
  double value = 0.0;
  /// Nothing lower was found, and the search ended because no step left in its bracket could
  /// count as progress (StrongWolfeLineSearch::beyond_progress), not because its budget ran out.
  bool flat = false;
};

/// Nocedal & Wright's line search (Algorithms 3.5 and 3.6): expand the step until a minimum of
/// phi is bracketed, then shrink the bracket by safeguarded cubic or quadratic interpolation
/// until a strong Wolfe point is found. A non-finite trial counts as "too long", like one failing
/// sufficient decrease: it becomes the far end of the bracket, which is then bisected (there is no
/// value to interpolate) until finite trials take over.
class StrongWolfeLineSearch {
 public:
  StrongWolfeLineSearch(CountedObjective& f, std::span<const double> x,
                        std::span<const double> direction, std::vector<double>& x_trial,
                        std::vector<double>& g_trial, std::vector<double>& g_best,
                        int max_evaluations, double relative_tolerance)
      : f_(f),
        x_(x),
        d_(direction),
        x_trial_(x_trial),
        g_trial_(g_trial),
        g_best_(g_best),
        max_evaluations_(max_evaluations),
        relative_tolerance_(relative_tolerance) {}

  LineSearchOutcome run(double value0, double slope0, double alpha_initial) {
    start_ = {0.0, value0, slope0, true};
    negligible_decrease_ = relative_tolerance_ * std::max(std::abs(value0), 1e-12);
    best_ = start_;
    Trial previous = start_;
    double alpha = alpha_initial;
    while (evaluations_ < max_evaluations_) {
      const Trial t = evaluate(alpha);
      if (!t.finite || !sufficient_decrease(t) ||
          (previous.alpha > 0.0 && t.value >= previous.value)) {
        return zoom(previous, t);
      }
      if (curvature_holds(t)) return accept(t);
      if (t.slope >= 0.0) return zoom(t, previous);
      previous = t;
      alpha *= kExpansionFactor;
    }
    return fall_back_to_best();
  }

 private:
  bool sufficient_decrease(const Trial& t) const {
    return t.value <= start_.value + kSufficientDecrease * t.alpha * start_.slope;
  }
  bool curvature_holds(const Trial& t) const {
    return std::abs(t.slope) <= -kCurvature * start_.slope;
  }

  // `low` is the lowest sufficient-decrease trial so far and phi'(low) points toward `high`.
  LineSearchOutcome zoom(Trial low, Trial high) {
    while (evaluations_ < max_evaluations_) {
      if (beyond_progress(low, high)) {
        flat_ = true;
        break;
      }
      const double alpha = trial_between(low, high);
      if (alpha == low.alpha || alpha == high.alpha) break;  // bracket below resolution
      const Trial t = evaluate(alpha);
      if (!t.finite || !sufficient_decrease(t) || t.value >= low.value) {
        high = t;
        continue;
      }
      if (curvature_holds(t)) return accept(t);
      if (t.slope * (high.alpha - low.alpha) >= 0.0) high = low;
      low = t;
    }
    return fall_back_to_best();
  }

  // True when no trial has gone below the start yet and even the linear model's decrease over the
  // whole bracket, -phi'(0) |high|, would be below relative_tolerance |phi(0)|: a decrease the
  // optimiser's own stopping rule does not count as progress. Near a minimum, where linear
  // interpolation of the images makes f rough at small steps, the bracket would otherwise be
  // shrunk until the budget runs out: 20 evaluations for nothing, twice (the quasi-Newton
  // direction, then steepest descent); 43 of the 4 mm rigid level's 49 on one medium pair.
  bool beyond_progress(const Trial& low, const Trial& high) const {
    return low.alpha == 0.0 && -start_.slope * std::abs(high.alpha) < negligible_decrease_;
  }

  // Minimiser of the cubic through both ends (values and slopes), else of the quadratic through
  // low's value and slope and high's value, else the midpoint; never within the margin of an end.
  static double trial_between(const Trial& low, const Trial& high) {
    const double a = low.alpha;
    const double b = high.alpha;
    const double midpoint = 0.5 * (a + b);
    if (!high.finite) return midpoint;
    const double margin = kInterpolationMargin * std::abs(b - a);
    const auto inside = [&](double t) {
      return std::isfinite(t) && t > std::min(a, b) + margin && t < std::max(a, b) - margin;
    };
    const double d1 = low.slope + high.slope - 3.0 * (low.value - high.value) / (a - b);
    const double radicand = d1 * d1 - low.slope * high.slope;
    if (radicand >= 0.0) {
      const double d2 = std::copysign(std::sqrt(radicand), b - a);
      const double cubic =
          b - (b - a) * (high.slope + d2 - d1) / (high.slope - low.slope + 2.0 * d2);
      if (inside(cubic)) return cubic;
    }
    const double h = b - a;
    const double curvature = (high.value - low.value - low.slope * h) / (h * h);
    if (curvature > 0.0) {
      const double quadratic = a - low.slope / (2.0 * curvature);
      if (inside(quadratic)) return quadratic;
    }
    return midpoint;
  }

  Trial evaluate(double alpha) {
    for (std::size_t i = 0; i < x_.size(); ++i) x_trial_[i] = x_[i] + alpha * d_[i];
    ++evaluations_;
    Trial t;
    t.alpha = alpha;
    t.value = f_(x_trial_, g_trial_);
    t.slope = dot(g_trial_, d_);
    t.finite = std::isfinite(t.value) && std::isfinite(t.slope);
    if (t.finite && t.value < best_.value) {
      best_ = t;
      std::copy(g_trial_.begin(), g_trial_.end(), g_best_.begin());
    }
    return t;
  }

  LineSearchOutcome accept(const Trial& t) const { return {true, true, t.value}; }

  // No strong Wolfe point within the budget: hand back the lowest point seen, if it is lower than
  // the start, so that an expensive evaluation that made progress is not thrown away.
  LineSearchOutcome fall_back_to_best() {
    if (!(best_.value < start_.value)) return {false, false, start_.value, flat_};
    for (std::size_t i = 0; i < x_.size(); ++i) x_trial_[i] = x_[i] + best_.alpha * d_[i];
    std::copy(g_best_.begin(), g_best_.end(), g_trial_.begin());
    return {true, false, best_.value};
  }

  CountedObjective& f_;
  std::span<const double> x_;
  std::span<const double> d_;
  std::vector<double>& x_trial_;
  std::vector<double>& g_trial_;
  std::vector<double>& g_best_;
  int max_evaluations_;
  double relative_tolerance_;
  double negligible_decrease_ = 0.0;
  bool flat_ = false;
  int evaluations_ = 0;
  Trial start_;
  Trial best_;
};

void validate(const LbfgsOptions& options, std::size_t n) {
  if (n == 0) throw usage_error("L-BFGS: there is nothing to optimise (x is empty)");
  if (options.max_iterations < 0) {
    throw usage_error("L-BFGS: max_iterations must be >= 0, not {}", options.max_iterations);
  }
  if (options.memory < 1) throw usage_error("L-BFGS: memory must be >= 1, not {}", options.memory);
  if (options.patience < 1) {
    throw usage_error("L-BFGS: patience must be >= 1, not {}", options.patience);
  }
  if (options.max_line_search_evaluations < 1) {
    throw usage_error("L-BFGS: max_line_search_evaluations must be >= 1, not {}",
                      options.max_line_search_evaluations);
  }
  if (!(options.initial_step > 0.0) || !std::isfinite(options.initial_step)) {
    throw usage_error("L-BFGS: initial_step must be a positive number, not {}",
                      options.initial_step);
  }
  if (!(options.relative_tolerance >= 0.0) || !(options.gradient_tolerance >= 0.0)) {
    throw usage_error("L-BFGS: tolerances must be >= 0 (relative {}, gradient {})",
                      options.relative_tolerance, options.gradient_tolerance);
  }
}

void steepest_descent(std::span<const double> g, double step_length, std::span<double> direction) {
  const double scale = step_length / norm2(g);
  for (std::size_t i = 0; i < g.size(); ++i) direction[i] = -scale * g[i];
}

}  // namespace

LbfgsResult minimize_lbfgs(const ObjectiveFunction& f, std::span<double> x,
                           const LbfgsOptions& options,
                           const std::function<void(int, double)>& on_iteration) {
  const std::size_t n = x.size();
  validate(options, n);
  CountedObjective objective(f);
  std::vector<double> g(n), direction(n), x_trial(n), g_trial(n), g_best(n);

  LbfgsResult result;
  result.value = objective(x, g);
  result.history.push_back(result.value);
  if (!std::isfinite(result.value) || !all_finite(g)) {
    throw data_error("L-BFGS: the objective or its gradient is not finite at the start (value {})",
                     result.value);
  }

  CorrectionMemory memory(options.memory, n);
  double steepest_step_length = options.initial_step;
  int slow_iterations = 0;
  if (options.initial_memory) memory.load(*options.initial_memory);
  const auto finish = [&](std::string_view reason) {
    result.stop_reason = reason;
    result.evaluations = objective.evaluations();
    if (options.return_memory) result.memory = memory.save();
    return result;
  };

  if (inf_norm(g) <= options.gradient_tolerance) return finish(lbfgs_stop::kGradient);
  while (result.iterations < options.max_iterations) {
    bool steepest = memory.empty();
    if (!steepest) memory.descent_direction(g, direction);
    double slope = steepest ? 0.0 : dot(g, direction);
    if (!steepest && !(slope < 0.0)) {  // rounding broke the descent property: start afresh
      memory.clear();
      steepest = true;
    }
    if (steepest) {
      steepest_descent(g, steepest_step_length, direction);
      slope = dot(g, direction);
    }

    StrongWolfeLineSearch search(objective, x, direction, x_trial, g_trial, g_best,
                                 options.max_line_search_evaluations, options.relative_tolerance);
    const LineSearchOutcome outcome = search.run(result.value, slope, 1.0);
    if (!outcome.improved) {
      if (steepest) return finish(outcome.flat ? lbfgs_stop::kFlat : lbfgs_stop::kLineSearchFailed);
      memory.clear();  // the curvature pairs misled the search; retry along -g
      continue;
    }

    if (outcome.wolfe) {
      memory.add(x, x_trial, g, g_trial);
    } else {
      memory.clear();
    }
    double step_squared = 0.0;
    for (std::size_t i = 0; i < n; ++i) step_squared += (x_trial[i] - x[i]) * (x_trial[i] - x[i]);
    steepest_step_length = std::sqrt(step_squared);
    std::copy(x_trial.begin(), x_trial.end(), x.begin());
    std::swap(g, g_trial);
    const double previous = result.value;
    result.value = outcome.value;
    ++result.iterations;
    result.history.push_back(result.value);
    if (on_iteration) on_iteration(result.iterations, result.value);

    if (inf_norm(g) <= options.gradient_tolerance) return finish(lbfgs_stop::kGradient);
    const double scale = std::max({std::abs(previous), std::abs(result.value), 1e-12});
    slow_iterations =
        (previous - result.value) / scale < options.relative_tolerance ? slow_iterations + 1 : 0;
    if (slow_iterations >= options.patience) return finish(lbfgs_stop::kRelativeDecrease);
  }
  return finish(lbfgs_stop::kMaxIterations);
}

}  // namespace modir::optimize
