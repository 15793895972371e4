// Filters run once per registration or evaluation but on full-resolution grids.

#include <benchmark/benchmark.h>

#include "modir/filter/distance_transform.h"
#include "scene.h"

namespace modir::bench {
namespace {

/// The exact signed distance map of one organ (the fixed ball), as label guidance and surface
/// distances prepare it.
void BM_SignedDistance(benchmark::State& state) {
  const Scene& s = scene(size_of(state));
  for (auto _ : state) {
    Image<float> distance = filter::signed_distance(s.fixed_labels, 1);
    benchmark::DoNotOptimize(distance.data());
    benchmark::ClobberMemory();
  }
  report_voxels(state, s.grid.voxel_count());
}
BENCHMARK(BM_SignedDistance)->Apply(grid_sizes);

}  // namespace
}  // namespace modir::bench
