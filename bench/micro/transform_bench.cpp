// Transform kernels: the B-spline grid and its adjoint, trilinear warping with the image gradient,
// and the SVF exponential with its adjoint.

#include <random>
#include <vector>

#include <benchmark/benchmark.h>

#include "modir/transform/bspline_grid.h"
#include "modir/transform/velocity_field.h"
#include "modir/transform/warp.h"
#include "scene.h"

namespace modir::bench {
namespace {

constexpr double kControlSpacingMm = 10.0;

// Coefficients drawn from N(0, (2 mm)^2): a plausible mid-registration grid.
std::vector<double> random_coefficients(std::size_t count) {
  std::mt19937 generator(7);
  std::normal_distribution<double> normal(0.0, 2.0);
  std::vector<double> coefficients(count);
  for (double& c : coefficients) c = normal(generator);
  return coefficients;
}

/// b = sum_k c_k B(x - p_k) at every voxel of the reference grid.
void BM_BSplineEvaluate(benchmark::State& state) {
  const Scene& s = scene(size_of(state));
  const transform::BSplineGrid grid(s.grid, kControlSpacingMm);
  const std::vector<double> coefficients = random_coefficients(grid.parameter_count());
  DisplacementField out(s.grid);
  for (auto _ : state) {
    grid.evaluate(coefficients, s.grid, out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  report_voxels(state, s.grid.voxel_count());
  state.counters["control_points"] = static_cast<double>(grid.control_count());
}
BENCHMARK(BM_BSplineEvaluate)->Apply(grid_sizes);

/// dE/dc from a dense dE/db (a smooth field standing in for a metric gradient).
void BM_BSplineAdjoint(benchmark::State& state) {
  const Scene& s = scene(size_of(state));
  const transform::BSplineGrid grid(s.grid, kControlSpacingMm);
  std::vector<double> gradient(grid.parameter_count());
  for (auto _ : state) {
    grid.adjoint(s.displacement, gradient);
    benchmark::DoNotOptimize(gradient.data());
    benchmark::ClobberMemory();
  }
  report_voxels(state, s.grid.voxel_count());
  state.counters["control_points"] = static_cast<double>(grid.control_count());
}
BENCHMARK(BM_BSplineAdjoint)->Apply(grid_sizes);

/// The moving image at x + u(x), with the world gradient of the interpolant and the inside mask,
/// as the image term calls it.
void BM_WarpLinearWithGradient(benchmark::State& state) {
  const Scene& s = scene(size_of(state));
  Image<float> warped(s.grid);
  DisplacementField gradient(s.grid);
  Image<std::uint8_t> inside(s.grid);
  for (auto _ : state) {
    transform::warp_linear(s.moving, s.displacement, warped, &gradient, &inside);
    benchmark::DoNotOptimize(warped.data());
    benchmark::DoNotOptimize(gradient.data());
    benchmark::ClobberMemory();
  }
  report_voxels(state, s.grid.voxel_count());
}
BENCHMARK(BM_WarpLinearWithGradient)->Apply(grid_sizes);

/// exp(v) by scaling and squaring, keeping the intermediate fields for the adjoint (as the SVF
/// parametrisation does). One item is one voxel of the field, whatever the number of squarings.
void BM_Exponentiate(benchmark::State& state) {
  const Scene& s = scene(size_of(state));
  const int steps = transform::squaring_steps_for(s.displacement);
  DisplacementField displacement(s.grid);
  std::vector<DisplacementField> intermediate;
  for (auto _ : state) {
    transform::exponentiate(s.displacement, steps, displacement, &intermediate);
    benchmark::DoNotOptimize(displacement.data());
    benchmark::ClobberMemory();
  }
  report_voxels(state, s.grid.voxel_count());
  state.counters["squarings"] = steps;
}
BENCHMARK(BM_Exponentiate)->Apply(grid_sizes);

/// dE/dv from dE/d(exp v) through the kept intermediate fields.
void BM_ExponentiateAdjoint(benchmark::State& state) {
  const Scene& s = scene(size_of(state));
  const int steps = transform::squaring_steps_for(s.displacement);
  DisplacementField displacement(s.grid);
  std::vector<DisplacementField> intermediate;
  transform::exponentiate(s.displacement, steps, displacement, &intermediate);
  DisplacementField dE_dvelocity(s.grid);
  for (auto _ : state) {
    transform::exponentiate_adjoint(intermediate, s.displacement, dE_dvelocity);
    benchmark::DoNotOptimize(dE_dvelocity.data());
    benchmark::ClobberMemory();
  }
  report_voxels(state, s.grid.voxel_count());
  state.counters["squarings"] = steps;
}
BENCHMARK(BM_ExponentiateAdjoint)->Apply(grid_sizes);

}  // namespace
}  // namespace modir::bench
