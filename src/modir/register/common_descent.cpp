#include "modir/register/common_descent.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>

#include "modir/optimize/pareto/min_norm.h"

namespace modir::reg::detail {

namespace {

// Armijo's sufficient-decrease constant, as in the line search of L-BFGS.
constexpr double kSufficientDecrease = 1e-4;
// Halvings of a step before giving up on it.
constexpr int kMaxHalvings = 8;

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

// The groups' weighted values and the constraints' total at the latest evaluation.
struct Values {
  std::array<double, 3> groups{};
  double constraint = 0.0;
};

Values current_values(const Energy& energy) {
  Values v;
  const auto groups = energy.group_values();
  for (std::size_t g = 0; g < 3; ++g) v.groups[g] = groups[g] * energy.group_weights()[g];
  for (const TermValue& t : energy.term_values())
    if (t.constraint) v.constraint += t.weight * t.value;
  return v;
}

}  // namespace

CommonDescentResult common_descent(Energy& energy, std::vector<double>& theta, int steps,
                                   double max_step_mm, LevelLog& log) {
  const auto start = std::chrono::steady_clock::now();
  CommonDescentResult result;
  std::array<std::vector<double>, 4> gradients;
  std::vector<double> trial(theta.size());
  bool last_evaluation_at_theta = false;
  for (int step = 0; step < steps; ++step) {
    energy.group_gradients(theta, gradients);
    ++result.evaluations;
    last_evaluation_at_theta = true;
    const Values now = current_values(energy);
    // The objectives: groups with terms, and the fold guard while it is active.
    std::array<bool, 3> active{false, false, false};
    for (const TermValue& t : energy.term_values())
      if (!t.constraint && t.weight > 0) active[static_cast<std::size_t>(t.group)] = true;
    std::vector<const std::vector<double>*> objectives;
    for (std::size_t g = 0; g < 3; ++g)
      if (active[g]) objectives.push_back(&gradients[g]);
    if (now.constraint > 0) objectives.push_back(&gradients[3]);
    if (objectives.empty()) break;

    std::vector<std::vector<double>> gram(objectives.size(),
                                          std::vector<double>(objectives.size()));
    for (std::size_t i = 0; i < objectives.size(); ++i)
      for (std::size_t j = 0; j <= i; ++j)
        gram[i][j] = gram[j][i] = dot(*objectives[i], *objectives[j]);
    const std::vector<double> alpha = optimize::pareto::min_norm_weights(gram);
    std::vector<double> direction(theta.size(), 0.0);
    for (std::size_t i = 0; i < objectives.size(); ++i)
      for (std::size_t k = 0; k < theta.size(); ++k)
        direction[k] -= alpha[i] * (*objectives[i])[k];
    double largest = 0.0;
    for (const double d : direction) largest = std::max(largest, std::abs(d));
    // Pareto-stationary to rounding: the hull of the gradients holds the origin.
    if (!(largest > 0.0) || dot(direction, direction) <= 1e-12 * gram[0][0]) {
      result.stationary = true;
      break;
    }
    std::array<double, 3> slope{};
    for (std::size_t g = 0; g < 3; ++g) slope[g] = dot(gradients[g], direction);

    double t = max_step_mm / largest;
    bool accepted = false;
    for (int halving = 0; halving <= kMaxHalvings && !accepted; ++halving, t *= 0.5) {
      for (std::size_t k = 0; k < theta.size(); ++k) trial[k] = theta[k] + t * direction[k];
      energy(trial, {});
      ++result.evaluations;
      last_evaluation_at_theta = false;
      const Values next = current_values(energy);
      accepted = next.constraint <= now.constraint;
      for (std::size_t g = 0; g < 3 && accepted; ++g)
        if (active[g] && !(next.groups[g] <= now.groups[g] + kSufficientDecrease * t * slope[g] &&
                           next.groups[g] < now.groups[g]))
          accepted = false;
    }
    if (!accepted) break;
    theta = trial;
    last_evaluation_at_theta = true;
    ++result.steps;
  }
  if (!last_evaluation_at_theta) {
    energy(theta, {});
    ++result.evaluations;
  }
  log.end_terms = energy.term_values();
  log.iterations += result.steps;
  log.evaluations += result.evaluations;
  log.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace modir::reg::detail
