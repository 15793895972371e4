#include "modir/optimize/lbfgs.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "modir/core/error.h"

namespace modir::optimize {
namespace {

using Matrix = std::vector<std::vector<double>>;

/// 0.5 x'Ax - b'x with A = Q diag(eigenvalues) Q' for a seeded random orthogonal Q, so that the
/// minimiser A^-1 b = Q diag(1/eigenvalues) Q' b is known without solving a system.
struct Quadratic {
  Matrix a;
  std::vector<double> b;
  std::vector<double> minimiser;

  double operator()(std::span<const double> x, std::span<double> g) const {
    double value = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      double ax = 0.0;
      for (std::size_t j = 0; j < x.size(); ++j) ax += a[i][j] * x[j];
      g[i] = ax - b[i];
      value += 0.5 * x[i] * ax - b[i] * x[i];
    }
    return value;
  }
};

Matrix random_orthogonal(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal;
  Matrix q(n, std::vector<double>(n));
  for (std::size_t k = 0; k < n; ++k) {  // Gram-Schmidt on random columns q[k]
    for (double& v : q[k]) v = normal(rng);
    for (std::size_t j = 0; j < k; ++j) {
      double projection = 0.0;
      for (std::size_t i = 0; i < n; ++i) projection += q[k][i] * q[j][i];
      for (std::size_t i = 0; i < n; ++i) q[k][i] -= projection * q[j][i];
    }
    double norm = 0.0;
    for (double v : q[k]) norm += v * v;
    for (double& v : q[k]) v /= std::sqrt(norm);
  }
  return q;
}

Quadratic ill_conditioned_quadratic(std::size_t n, double condition, unsigned seed) {
  const Matrix q = random_orthogonal(n, seed);  // q[k] is the k-th eigenvector
  std::vector<double> eigenvalues(n);
  for (std::size_t k = 0; k < n; ++k) {
    eigenvalues[k] = std::pow(condition, static_cast<double>(k) / static_cast<double>(n - 1));
  }
  Quadratic problem;
  problem.a.assign(n, std::vector<double>(n, 0.0));
  problem.b.resize(n);
  problem.minimiser.assign(n, 0.0);
  std::mt19937 rng(seed + 1);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  for (double& v : problem.b) v = uniform(rng);
  for (std::size_t k = 0; k < n; ++k) {
    double qb = 0.0;
    for (std::size_t i = 0; i < n; ++i) qb += q[k][i] * problem.b[i];
    for (std::size_t i = 0; i < n; ++i) {
      problem.minimiser[i] += q[k][i] * qb / eigenvalues[k];
      for (std::size_t j = 0; j < n; ++j) problem.a[i][j] += eigenvalues[k] * q[k][i] * q[k][j];
    }
  }
  return problem;
}

/// Sum over pairs (x_{2i}, x_{2i+1}) of 100 (x_{2i+1} - x_{2i}^2)^2 + (1 - x_{2i})^2; minimum 0
/// at all ones. n = 2 is the classic Rosenbrock function.
double extended_rosenbrock(std::span<const double> x, std::span<double> g) {
  double value = 0.0;
  for (std::size_t i = 0; i + 1 < x.size(); i += 2) {
    const double valley = x[i + 1] - x[i] * x[i];
    const double offset = 1.0 - x[i];
    value += 100.0 * valley * valley + offset * offset;
    g[i] = -400.0 * x[i] * valley - 2.0 * offset;
    g[i + 1] = 200.0 * valley;
  }
  return value;
}

std::vector<double> rosenbrock_start(std::size_t n) {
  std::vector<double> x(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = i % 2 == 0 ? -1.2 : 1.0;
  return x;
}

double max_abs_difference(const std::vector<double>& a, const std::vector<double>& b) {
  double largest = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) largest = std::max(largest, std::abs(a[i] - b[i]));
  return largest;
}

TEST(Lbfgs, IllConditionedQuadraticReachesExactMinimiser) {
  const Quadratic problem = ill_conditioned_quadratic(10, 100.0, 7);
  std::vector<double> x(10, 0.0);
  LbfgsOptions options;
  options.relative_tolerance = 0.0;
  options.gradient_tolerance = 1e-7;
  const LbfgsResult result = minimize_lbfgs(problem, x, options);
  EXPECT_EQ(result.stop_reason, lbfgs_stop::kGradient);
  EXPECT_LT(max_abs_difference(x, problem.minimiser), 1e-6);
  EXPECT_LT(result.iterations, 60);
}

// With no tolerance left, the search ends where f no longer resolves the remaining decrease
// (|g| ~ 1e-8 here): it must say so, and keep the accurate point it had reached.
TEST(Lbfgs, AtTheLimitOfPrecisionReportsLineSearchFailureAndKeepsThePoint) {
  const Quadratic problem = ill_conditioned_quadratic(10, 100.0, 7);
  std::vector<double> x(10, 0.0);
  LbfgsOptions options;
  options.relative_tolerance = 0.0;
  options.gradient_tolerance = 0.0;
  options.max_iterations = 1000;
  const LbfgsResult result = minimize_lbfgs(problem, x, options);
  EXPECT_EQ(result.stop_reason, lbfgs_stop::kLineSearchFailed);
  EXPECT_LT(result.iterations, 1000);
  EXPECT_LT(max_abs_difference(x, problem.minimiser), 1e-7);
  std::vector<double> g(10);
  EXPECT_EQ(problem(x, g), result.value);
}

TEST(Lbfgs, RosenbrockFromClassicStart) {
  std::vector<double> x = {-1.2, 1.0};
  LbfgsOptions options;
  options.relative_tolerance = 0.0;
  options.gradient_tolerance = 1e-9;
  const LbfgsResult result = minimize_lbfgs(extended_rosenbrock, x, options);
  EXPECT_EQ(result.stop_reason, lbfgs_stop::kGradient);
  EXPECT_LT(result.iterations, 100);
  EXPECT_LT(result.evaluations, 80);  // about one evaluation per iteration, as expected of L-BFGS
  EXPECT_NEAR(x[0], 1.0, 1e-4);
  EXPECT_NEAR(x[1], 1.0, 1e-4);
}

TEST(Lbfgs, ExtendedRosenbrockIn100Dimensions) {
  std::vector<double> x = rosenbrock_start(100);
  LbfgsOptions options;
  options.max_iterations = 500;
  options.relative_tolerance = 0.0;
  options.gradient_tolerance = 1e-8;
  const LbfgsResult result = minimize_lbfgs(extended_rosenbrock, x, options);
  EXPECT_EQ(result.stop_reason, lbfgs_stop::kGradient);
  EXPECT_LT(max_abs_difference(x, std::vector<double>(100, 1.0)), 1e-4);
  EXPECT_LT(result.value, 1e-12);
  EXPECT_LT(result.evaluations, 100);
}

TEST(Lbfgs, HistoryStartsAtStartValueNeverIncreasesAndMatchesCallbacks) {
  std::vector<double> x = rosenbrock_start(20);
  std::vector<double> x0 = x;
  std::vector<double> g(x.size());
  const double start_value = extended_rosenbrock(x0, g);
  std::vector<std::pair<int, double>> reported;
  const LbfgsResult result = minimize_lbfgs(extended_rosenbrock, x, {},
                                            [&](int i, double v) { reported.emplace_back(i, v); });
  ASSERT_EQ(result.history.size(), static_cast<std::size_t>(result.iterations) + 1);
  EXPECT_EQ(result.history.front(), start_value);
  EXPECT_EQ(result.history.back(), result.value);
  EXPECT_EQ(extended_rosenbrock(x, g), result.value);  // the value belongs to the returned x
  for (std::size_t i = 1; i < result.history.size(); ++i) {
    EXPECT_LT(result.history[i], result.history[i - 1]) << "iteration " << i;
  }
  ASSERT_EQ(reported.size(), static_cast<std::size_t>(result.iterations));
  for (std::size_t i = 0; i < reported.size(); ++i) {
    EXPECT_EQ(reported[i].first, static_cast<int>(i) + 1);
    EXPECT_EQ(reported[i].second, result.history[i + 1]);
  }
}

TEST(Lbfgs, CountsEveryEvaluation) {
  int calls = 0;
  const ObjectiveFunction counted = [&](std::span<const double> x, std::span<double> g) {
    ++calls;
    return extended_rosenbrock(x, g);
  };
  std::vector<double> x = rosenbrock_start(2);
  const LbfgsResult result = minimize_lbfgs(counted, x);
  EXPECT_EQ(result.evaluations, calls);
  EXPECT_GT(result.evaluations, result.iterations);
}

// 0.5 |x|^2 from x0 with initial_step = |x0|: the first trial lands on the minimiser. Exactly two
// calls prove that the accepted trial's value and gradient are reused, not recomputed.
TEST(Lbfgs, ReusesTheAcceptedTrialInsteadOfReevaluating) {
  const ObjectiveFunction half_square = [](std::span<const double> x, std::span<double> g) {
    double value = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      g[i] = x[i];
      value += 0.5 * x[i] * x[i];
    }
    return value;
  };
  std::vector<double> x = {3.0, 4.0};
  LbfgsOptions options;
  options.initial_step = 5.0;
  const LbfgsResult result = minimize_lbfgs(half_square, x, options);
  EXPECT_EQ(result.iterations, 1);
  EXPECT_EQ(result.evaluations, 2);
  EXPECT_EQ(result.stop_reason, lbfgs_stop::kGradient);
  EXPECT_NEAR(x[0], 0.0, 1e-15);
  EXPECT_NEAR(x[1], 0.0, 1e-15);
}

TEST(Lbfgs, FirstTrialStepHasInitialStepLength) {
  std::vector<double> first_trial;
  int calls = 0;
  const ObjectiveFunction record = [&](std::span<const double> x, std::span<double> g) {
    if (++calls == 2) first_trial.assign(x.begin(), x.end());
    return extended_rosenbrock(x, g);
  };
  std::vector<double> x = {-1.2, 1.0};
  LbfgsOptions options;
  options.initial_step = 0.25;
  options.max_iterations = 1;
  minimize_lbfgs(record, x, options);
  ASSERT_EQ(first_trial.size(), 2u);
  EXPECT_NEAR(std::hypot(first_trial[0] + 1.2, first_trial[1] - 1.0), 0.25, 1e-12);
}

TEST(Lbfgs, MaxIterationsIsRespected) {
  std::vector<double> x = {-1.2, 1.0};
  LbfgsOptions options;
  options.max_iterations = 5;
  const LbfgsResult result = minimize_lbfgs(extended_rosenbrock, x, options);
  EXPECT_EQ(result.iterations, 5);
  EXPECT_EQ(result.history.size(), 6u);
  EXPECT_EQ(result.stop_reason, lbfgs_stop::kMaxIterations);
}

TEST(Lbfgs, ZeroIterationsOnlyEvaluatesTheStart) {
  std::vector<double> x = {-1.2, 1.0};
  LbfgsOptions options;
  options.max_iterations = 0;
  const LbfgsResult result = minimize_lbfgs(extended_rosenbrock, x, options);
  EXPECT_EQ(result.iterations, 0);
  EXPECT_EQ(result.evaluations, 1);
  EXPECT_EQ(result.stop_reason, lbfgs_stop::kMaxIterations);
  EXPECT_EQ(x, (std::vector<double>{-1.2, 1.0}));
  EXPECT_DOUBLE_EQ(result.value, 24.2);  // 100 (1 - 1.44)^2 + 2.2^2
}

// Like an image term near its optimum, where the values stop resolving small steps: a quadratic
// above a floor of 0.2, its values rounded up to steps of 1e-7 (the gradient the quadratic's).
// Once the quadratic part is within a step of its minimum no trial goes lower, and a search
// whose whole bracket could not lower f by relative_tolerance |f| (2e-6) must give up then,
// instead of halving its bracket 20 times, twice (the quasi-Newton direction, then steepest
// descent): without that rule this run took 47 evaluations for 6 iterations, with it 9.
TEST(Lbfgs, AFlatMinimumEndsWithoutSpendingTheWholeSearchBudget) {
  const ObjectiveFunction staircase = [](std::span<const double> x, std::span<double> g) {
    double quadratic = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double d = x[i] - 1.0 - 0.1 * static_cast<double>(i);
      quadratic += static_cast<double>(i + 1) * d * d;
      g[i] = 2.0 * static_cast<double>(i + 1) * d;
    }
    return 0.2 + 1e-7 * std::ceil(quadratic / 1e-7);
  };
  std::vector<double> x = {-1.0, 2.0, 0.5};
  LbfgsOptions options;
  options.max_iterations = 100;
  options.relative_tolerance = 1e-5;
  options.patience = 3;
  const LbfgsResult result = minimize_lbfgs(staircase, x, options);
  EXPECT_LE(result.value, 0.2 + 1e-6);
  EXPECT_LE(result.evaluations, result.iterations + 12);
  EXPECT_EQ(result.stop_reason, lbfgs_stop::kFlat);
}

TEST(Lbfgs, StopsOnSustainedSmallRelativeDecrease) {
  std::vector<double> x = rosenbrock_start(2);
  LbfgsOptions options;
  options.relative_tolerance = 1e-2;
  options.patience = 2;
  options.gradient_tolerance = 0.0;
  const LbfgsResult result = minimize_lbfgs(extended_rosenbrock, x, options);
  ASSERT_EQ(result.stop_reason, lbfgs_stop::kRelativeDecrease);
  const std::vector<double>& h = result.history;
  ASSERT_GE(h.size(), 3u);
  for (std::size_t i = h.size() - 2; i < h.size(); ++i) {
    const double relative =
        (h[i - 1] - h[i]) / std::max({std::abs(h[i - 1]), std::abs(h[i]), 1e-12});
    EXPECT_LT(relative, 1e-2);
  }
  ASSERT_GE(h.size(), 4u);
  const std::size_t before = h.size() - 4;  // the decrease just before the last `patience` ones
  EXPECT_GE((h[before] - h[before + 1]) / std::max({std::abs(h[before]), std::abs(h[before + 1])}),
            1e-2);
}

TEST(Lbfgs, GradientToleranceStopsWithSmallGradient) {
  const Quadratic problem = ill_conditioned_quadratic(10, 100.0, 3);
  std::vector<double> x(10, 0.0);
  LbfgsOptions options;
  options.relative_tolerance = 0.0;
  options.gradient_tolerance = 1e-3;
  const LbfgsResult result = minimize_lbfgs(problem, x, options);
  EXPECT_EQ(result.stop_reason, lbfgs_stop::kGradient);
  std::vector<double> g(10);
  problem(x, g);
  double largest = 0.0;
  for (double v : g) largest = std::max(largest, std::abs(v));
  EXPECT_LE(largest, 1e-3);
  EXPECT_GT(largest, 1e-10);  // stopped early, not because it happened to converge fully
}

TEST(Lbfgs, StartAtMinimumStopsImmediately) {
  std::vector<double> x = {1.0, 1.0, 1.0, 1.0};
  const LbfgsResult result = minimize_lbfgs(extended_rosenbrock, x);
  EXPECT_EQ(result.iterations, 0);
  EXPECT_EQ(result.evaluations, 1);
  EXPECT_EQ(result.stop_reason, lbfgs_stop::kGradient);
  EXPECT_EQ(x, (std::vector<double>{1.0, 1.0, 1.0, 1.0}));
  EXPECT_EQ(result.history, (std::vector<double>{0.0}));
}

// (x0 - 1.5)^2 + (x1 - 1.8)^2 defined only where x0 <= 2 (inf beyond) and x1 <= 2 (NaN beyond);
// the first step of length 50 lands far past both walls.
TEST(Lbfgs, NonFiniteValuesBeyondAWallShortenTheStep) {
  const ObjectiveFunction walled = [](std::span<const double> x, std::span<double> g) {
    g[0] = 2.0 * (x[0] - 1.5);
    g[1] = 2.0 * (x[1] - 1.8);
    if (x[0] > 2.0) return std::numeric_limits<double>::infinity();
    if (x[1] > 2.0) return std::numeric_limits<double>::quiet_NaN();
    return (x[0] - 1.5) * (x[0] - 1.5) + (x[1] - 1.8) * (x[1] - 1.8);
  };
  std::vector<double> x = {-5.0, -5.0};
  LbfgsOptions options;
  options.initial_step = 50.0;
  options.relative_tolerance = 0.0;
  options.gradient_tolerance = 1e-9;
  const LbfgsResult result = minimize_lbfgs(walled, x, options);
  EXPECT_EQ(result.stop_reason, lbfgs_stop::kGradient);
  EXPECT_NEAR(x[0], 1.5, 1e-8);
  EXPECT_NEAR(x[1], 1.8, 1e-8);
  for (double v : result.history) EXPECT_TRUE(std::isfinite(v));
}

// The gradient has the wrong sign, so -g points uphill and no step can lower f.
TEST(Lbfgs, LineSearchFailureKeepsTheStart) {
  const ObjectiveFunction wrong_gradient = [](std::span<const double> x, std::span<double> g) {
    g[0] = -2.0 * (x[0] - 1.0);
    return (x[0] - 1.0) * (x[0] - 1.0);
  };
  std::vector<double> x = {3.0};
  LbfgsOptions options;
  options.max_line_search_evaluations = 10;
  const LbfgsResult result = minimize_lbfgs(wrong_gradient, x, options);
  EXPECT_EQ(result.stop_reason, lbfgs_stop::kLineSearchFailed);
  EXPECT_EQ(result.iterations, 0);
  EXPECT_EQ(x[0], 3.0);
  EXPECT_EQ(result.value, 4.0);
  EXPECT_LE(result.evaluations, 1 + options.max_line_search_evaluations);
}

// On f = -x the slope never changes, so the curvature condition never holds and every search
// runs out of trials: 1, 4, 16 (expanding by 4). The lowest of them is accepted all the same.
TEST(Lbfgs, SearchWithoutWolfePointAcceptsItsLowestTrial) {
  const ObjectiveFunction downhill = [](std::span<const double> x, std::span<double> g) {
    g[0] = -1.0;
    return -x[0];
  };
  std::vector<double> x = {0.0};
  LbfgsOptions options;
  options.max_iterations = 1;
  options.max_line_search_evaluations = 3;
  const LbfgsResult result = minimize_lbfgs(downhill, x, options);
  EXPECT_EQ(result.iterations, 1);
  EXPECT_EQ(result.evaluations, 4);
  EXPECT_EQ(x[0], 16.0);
  EXPECT_EQ(result.value, -16.0);
  EXPECT_EQ(result.stop_reason, lbfgs_stop::kMaxIterations);
}

// |x| is not differentiable at 0, so near the minimum no strong Wolfe point exists; whatever
// happens, every accepted step must lower f.
TEST(Lbfgs, NonSmoothObjectiveNeverEndsWorseThanStart) {
  const ObjectiveFunction absolute = [](std::span<const double> x, std::span<double> g) {
    double value = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      g[i] = x[i] > 0.0 ? 1.0 : (x[i] < 0.0 ? -1.0 : 0.0);
      value += std::abs(x[i]) * static_cast<double>(i + 1);
      g[i] *= static_cast<double>(i + 1);
    }
    return value;
  };
  std::vector<double> x = {0.7, -1.3, 2.1};
  LbfgsOptions options;
  options.max_iterations = 200;
  const LbfgsResult result = minimize_lbfgs(absolute, x, options);
  EXPECT_LT(result.value, result.history.front());
  std::vector<double> g(3);
  EXPECT_EQ(absolute(x, g), result.value);
  for (std::size_t i = 1; i < result.history.size(); ++i) {
    EXPECT_LT(result.history[i], result.history[i - 1]);
  }
}

TEST(Lbfgs, NonFiniteStartIsADataError) {
  const ObjectiveFunction nan_everywhere = [](std::span<const double>, std::span<double> g) {
    g[0] = 0.0;
    return std::numeric_limits<double>::quiet_NaN();
  };
  std::vector<double> x = {0.0};
  try {
    minimize_lbfgs(nan_everywhere, x);
    ADD_FAILURE() << "expected a modir::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
  }
}

TEST(Lbfgs, InvalidOptionsAreUsageErrors) {
  std::vector<double> x = {0.0, 0.0};
  const auto kind_of = [&](const LbfgsOptions& options, std::span<double> start) {
    try {
      minimize_lbfgs(extended_rosenbrock, start, options);
    } catch (const Error& e) {
      return e.kind();
    }
    ADD_FAILURE() << "expected a modir::Error";
    return ErrorKind::kData;
  };
  LbfgsOptions no_memory;
  no_memory.memory = 0;
  EXPECT_EQ(kind_of(no_memory, x), ErrorKind::kUsage);
  LbfgsOptions no_step;
  no_step.initial_step = 0.0;
  EXPECT_EQ(kind_of(no_step, x), ErrorKind::kUsage);
  LbfgsOptions no_patience;
  no_patience.patience = 0;
  EXPECT_EQ(kind_of(no_patience, x), ErrorKind::kUsage);
  EXPECT_EQ(kind_of({}, std::span<double>()), ErrorKind::kUsage);
}

}  // namespace
}  // namespace modir::optimize

namespace modir::optimize {
namespace {

// A Pareto front's warm start: the next problem differs from the solved one by a change of the
// right-hand side (the weights move the minimiser) and a mild rescaling of the curvature.
TEST(LbfgsWarmMemory, ANeighboursCurvatureSpeedsUpTheNextSolve) {
  const std::size_t n = 40;
  const Quadratic first = ill_conditioned_quadratic(n, 1000.0, 11);
  std::vector<double> x(n, 0.0);
  LbfgsOptions options;
  options.relative_tolerance = 0.0;
  options.gradient_tolerance = 1e-6;
  options.max_iterations = 2000;
  options.return_memory = true;
  const LbfgsResult solved = minimize_lbfgs(first, x, options);
  ASSERT_EQ(solved.stop_reason, lbfgs_stop::kGradient);
  ASSERT_EQ(solved.memory.s.size(), static_cast<std::size_t>(options.memory));

  Quadratic next = first;
  for (auto& row : next.a)
    for (double& v : row) v *= 1.3;
  for (std::size_t i = 0; i < n; ++i) next.b[i] = 1.3 * first.b[i] + 0.2 * std::sin(double(i));
  options.return_memory = false;
  std::vector<double> cold_x = x, warm_x = x;
  const LbfgsResult cold = minimize_lbfgs(next, cold_x, options);
  options.initial_memory = &solved.memory;
  const LbfgsResult warm = minimize_lbfgs(next, warm_x, options);
  EXPECT_EQ(cold.stop_reason, lbfgs_stop::kGradient);
  EXPECT_EQ(warm.stop_reason, lbfgs_stop::kGradient);
  EXPECT_LT(warm.evaluations, cold.evaluations);
  EXPECT_LT(max_abs_difference(warm_x, cold_x), 1e-4);
}

TEST(LbfgsWarmMemory, PairsOfTheWrongLengthAreAnError) {
  const Quadratic problem = ill_conditioned_quadratic(6, 10.0, 3);
  std::vector<double> x(6, 0.0);
  LbfgsMemory memory;
  memory.s = {std::vector<double>(5, 1.0)};
  memory.y = {std::vector<double>(5, 1.0)};
  LbfgsOptions options;
  options.initial_memory = &memory;
  EXPECT_THROW(minimize_lbfgs(problem, x, options), Error);
}

}  // namespace
}  // namespace modir::optimize
