// Objective terms of a dense field, value and gradient together, as the optimiser calls them.

#include <cmath>
#include <memory>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include "modir/objective/guidance/label_distance_term.h"
#include "modir/objective/image_term.h"
#include "modir/objective/regularity/jacobian_penalty.h"
#include "modir/objective/similarity/local_ncc.h"
#include "modir/objective/similarity/ssd.h"
#include "scene.h"

namespace modir::bench {
namespace {

constexpr double kLabelBandMm = 15.0;

// Value and gradient of `term` at `u`, timed after one untimed call that fills the term's caches
// and scratch buffers: a registration calls a term hundreds of times, so the steady state counts.
void run_field_term(benchmark::State& state, objective::FieldTerm& term,
                    const DisplacementField& u) {
  DisplacementField gradient(u.geometry());
  benchmark::DoNotOptimize(term.evaluate(u, &gradient, 1.0));
  for (auto _ : state) {
    benchmark::DoNotOptimize(term.evaluate(u, &gradient, 1.0));
    benchmark::DoNotOptimize(gradient.data());
    benchmark::ClobberMemory();
  }
  report_voxels(state, u.voxel_count());
}

void run_image_term(benchmark::State& state, std::unique_ptr<objective::Similarity> similarity) {
  const Scene& s = scene(size_of(state));
  std::vector<Image<float>> fixed{s.fixed};
  std::vector<Image<float>> moving{s.moving};
  objective::ImageTerm term(std::move(fixed), std::move(moving), std::move(similarity));
  run_field_term(state, term, s.displacement);
}

/// Warp with gradient, LNCC (box window of half-width 5 mm) and its exact gradient, chain rule.
void BM_ImageTermLocalNcc(benchmark::State& state) {
  run_image_term(state,
                 std::make_unique<objective::LocalNcc>(objective::WindowSum::Kind::kBox, 5.0));
}
BENCHMARK(BM_ImageTermLocalNcc)->Apply(grid_sizes);

/// Warp with gradient, SSD and its gradient, chain rule.
void BM_ImageTermSsd(benchmark::State& state) {
  run_image_term(state, std::make_unique<objective::SumOfSquaredDifferences>());
}
BENCHMARK(BM_ImageTermSsd)->Apply(grid_sizes);

/// One organ (a ball) within 15 mm of its fixed surface; items are all voxels of the field.
/// The fourth argument: 0 squares, 1 Tukey's biweight (the default loss).
void BM_LabelDistanceTerm(benchmark::State& state) {
  const Scene& s = scene(size_of(state));
  auto organs = std::make_shared<std::vector<objective::OrganDistanceMaps>>();
  objective::OrganDistanceMaps ball;
  ball.label = 1;
  ball.name = "ball";
  ball.fixed = s.fixed_distance;
  ball.moving = s.moving_distance;
  organs->push_back(std::move(ball));
  objective::LabelDistanceTerm term(
      organs, s.grid, kLabelBandMm, 0.0,
      state.range(3) ? objective::LabelLoss::kTukey : objective::LabelLoss::kSquared);
  run_field_term(state, term, s.displacement);
  double band = 0;
  for (const float d : s.fixed_distance.buffer()) band += std::abs(d) < kLabelBandMm ? 1 : 0;
  state.counters["band_voxels"] = band;
}
BENCHMARK(BM_LabelDistanceTerm)
    ->ArgNames({"nx", "ny", "nz", "tukey"})
    ->ArgsProduct({{256}, {256}, {96}, {0, 1}})
    ->Args({128, 128, 96, 1})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

/// A smooth field (no determinant below tau = 0.2): the value pass only, the usual case.
void BM_JacobianPenaltySmooth(benchmark::State& state) {
  const Scene& s = scene(size_of(state));
  objective::JacobianPenalty term(0.2);
  run_field_term(state, term, s.displacement);
}
BENCHMARK(BM_JacobianPenaltySmooth)->Apply(grid_sizes);

/// About 30% of the voxels below tau = 0.2: the value pass and the gathered gradient.
void BM_JacobianPenaltyCompressive(benchmark::State& state) {
  const Scene& s = scene(size_of(state));
  objective::JacobianPenalty term(0.2);
  run_field_term(state, term, s.compressive);
}
BENCHMARK(BM_JacobianPenaltyCompressive)->Apply(grid_sizes);

}  // namespace
}  // namespace modir::bench
