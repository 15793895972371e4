#pragma once

#include <cstdint>

#include <benchmark/benchmark.h>

#include "modir/core/geometry.h"
#include "modir/core/image.h"

namespace modir::bench {

/// Synthetic but realistic inputs for one grid size: smooth CT-like intensities with noise, a
/// smooth deformation, ball-shaped organs. Spacing 1 x 1 x 3 mm (a typical planning CT), identity
/// direction, grid centred on the world origin. Every random value comes from a fixed seed.
struct Scene {
  Geometry grid;
  Image<float> fixed;   ///< sums of sines in HU plus Gaussian noise (sigma 20 HU)
  Image<float> moving;  ///< the same anatomy seen through a smooth deformation, its own noise
  /// A smooth field of a few mm (sums of sines): the current estimate u of a registration, and the
  /// velocity of the SVF benchmarks.
  DisplacementField displacement;
  /// A field with bands of strong compression where about 30% of the voxels have a Jacobian
  /// determinant below 0.2 and about 19% below 0: the expensive case of the Jacobian penalty.
  DisplacementField compressive;
  LabelMap fixed_labels;        ///< label 1: a ball of radius 0.3 x the smallest extent of the grid
  LabelMap moving_labels;       ///< the same ball, 10% larger and shifted by (6, -4, 9) mm
  Image<float> fixed_distance;  ///< signed distance (mm) to the fixed ball's surface
  Image<float> moving_distance;  ///< signed distance (mm) to the moving ball's surface
};

/// The scene of a grid size, built on first use and kept for the rest of the process: Google
/// Benchmark runs each benchmark body several times to size its iteration count, and building a
/// 256 x 256 x 96 scene costs more than most of the kernels measured.
const Scene& scene(const Size3& size);

/// The grid size of a benchmark registered with `grid_sizes`.
Size3 size_of(const benchmark::State& state);

/// Registers the two grid sizes 128 x 128 x 96 and 256 x 256 x 96, wall-clock timing (the kernels
/// run on every core through OpenMP; CPU time of the timing thread would miss the others) and
/// milliseconds.
void grid_sizes(benchmark::internal::Benchmark* benchmark);

/// Reports the throughput of `voxels` voxels per iteration: items per second and "voxels/s", and
/// the number of threads the kernels used.
void report_voxels(benchmark::State& state, std::int64_t voxels);

}  // namespace modir::bench
