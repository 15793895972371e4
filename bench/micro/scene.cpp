#include "scene.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <numbers>
#include <random>

#include "modir/core/parallel.h"
#include "modir/filter/distance_transform.h"

namespace modir::bench {
namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;

// A smooth CT-like intensity pattern in HU: structures of 2 to 8 cm along every axis.
double anatomy(const Vec3d& p) {
  return 40.0 + 350.0 * std::sin(kTwoPi * p.x / 47.0 + 0.4) * std::sin(kTwoPi * p.y / 61.0) +
         220.0 * std::sin(kTwoPi * p.z / 83.0 + 0.7) +
         150.0 * std::sin(kTwoPi * (p.x + p.y) / 29.0) +
         90.0 * std::sin(kTwoPi * (p.y - p.z) / 17.0);
}

// A smooth displacement of at most `amplitude` mm per component, wavelengths 6.5 to 9 cm.
Vec3d smooth_displacement(const Vec3d& p, double amplitude) {
  return {amplitude * std::sin(kTwoPi * p.y / 70.0 + 0.3) * std::sin(kTwoPi * p.z / 90.0),
          amplitude * std::sin(kTwoPi * p.z / 80.0 + 1.1) * std::sin(kTwoPi * p.x / 75.0),
          amplitude * std::sin(kTwoPi * p.x / 65.0 + 0.5) * std::sin(kTwoPi * p.y / 85.0 + 0.2)};
}

// du_x/dx = 1.1 cos(...): det(I + du/dx) dips to about -0.1 in bands across x, and is below 0.2 on
// about 30% of the voxels (below 0 on about 19%); the small y and z parts add shear.
Vec3d compressive_displacement(const Vec3d& p) {
  return {7.0 * std::sin(kTwoPi * p.x / 40.0), 1.5 * std::sin(kTwoPi * p.z / 60.0),
          1.5 * std::sin(kTwoPi * p.y / 50.0)};
}

// Runs fill(world point, linear index, generator) on every voxel of `grid`, one generator per z
// slice seeded from `seed` and the slice, so the result does not depend on the thread count.
template <typename Fill>
void for_each_voxel(const Geometry& grid, unsigned seed, Fill&& fill) {
  const std::int64_t nx = grid.size[0], ny = grid.size[1];
  parallel_for_slices(grid.size[2], [&](std::int64_t z) {
    std::mt19937 generator(seed * 100003u + static_cast<unsigned>(z));
    for (std::int64_t y = 0; y < ny; ++y) {
      for (std::int64_t x = 0; x < nx; ++x) {
        const Vec3d world = grid.index_to_world(
            {static_cast<double>(x), static_cast<double>(y), static_cast<double>(z)});
        fill(world, x + nx * (y + ny * z), generator);
      }
    }
  });
}

std::unique_ptr<Scene> build_scene(const Size3& size) {
  auto scene = std::make_unique<Scene>();
  Geometry& grid = scene->grid;
  grid.size = size;
  grid.spacing = {1.0, 1.0, 3.0};
  for (std::size_t a = 0; a < 3; ++a) {
    grid.origin[a] = -0.5 * static_cast<double>(size[a] - 1) * grid.spacing[a];
  }

  scene->fixed = Image<float>(grid);
  scene->moving = Image<float>(grid);
  scene->displacement = DisplacementField(grid);
  scene->compressive = DisplacementField(grid);
  scene->fixed_labels = LabelMap(grid);
  scene->moving_labels = LabelMap(grid);

  double smallest_extent = 1e300;
  for (std::size_t a = 0; a < 3; ++a) {
    smallest_extent = std::min(smallest_extent, static_cast<double>(size[a]) * grid.spacing[a]);
  }
  const double radius = 0.3 * smallest_extent;
  const Vec3d moving_centre{6.0, -4.0, 9.0};

  for_each_voxel(grid, 1, [&](const Vec3d& p, std::int64_t i, std::mt19937& generator) {
    std::normal_distribution<double> noise(0.0, 20.0);
    scene->fixed.data()[i] = static_cast<float>(anatomy(p) + noise(generator));
    scene->displacement.data()[i] = smooth_displacement(p, 3.0).cast<float>();
    scene->compressive.data()[i] = compressive_displacement(p).cast<float>();
    scene->fixed_labels.data()[i] = p.norm() <= radius ? 1 : 0;
    scene->moving_labels.data()[i] = (p - moving_centre).norm() <= 1.1 * radius ? 1 : 0;
  });
  for_each_voxel(grid, 2, [&](const Vec3d& p, std::int64_t i, std::mt19937& generator) {
    std::normal_distribution<double> noise(0.0, 20.0);
    scene->moving.data()[i] =
        static_cast<float>(anatomy(p + smooth_displacement(p, 4.0)) + noise(generator));
  });
  scene->fixed_distance = filter::signed_distance(scene->fixed_labels, 1);
  scene->moving_distance = filter::signed_distance(scene->moving_labels, 1);
  return scene;
}

}  // namespace

const Scene& scene(const Size3& size) {
  static std::map<Size3, std::unique_ptr<Scene>> scenes;
  std::unique_ptr<Scene>& entry = scenes[size];
  if (!entry) entry = build_scene(size);
  return *entry;
}

Size3 size_of(const benchmark::State& state) {
  return {state.range(0), state.range(1), state.range(2)};
}

void grid_sizes(benchmark::internal::Benchmark* benchmark) {
  benchmark->ArgNames({"nx", "ny", "nz"})
      ->Args({128, 128, 96})
      ->Args({256, 256, 96})
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
}

void report_voxels(benchmark::State& state, std::int64_t voxels) {
  const std::int64_t processed = voxels * static_cast<std::int64_t>(state.iterations());
  state.SetItemsProcessed(processed);
  state.counters["voxels/s"] =
      benchmark::Counter(static_cast<double>(processed), benchmark::Counter::kIsRate);
  state.counters["threads"] = static_cast<double>(thread_count());
}

}  // namespace modir::bench
