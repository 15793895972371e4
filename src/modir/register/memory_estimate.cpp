#include "modir/register/memory_estimate.h"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "modir/register/pyramid.h"

namespace modir::reg {

namespace {

// Coefficients measured on phantom pairs (seed 7 small, 302 medium, 303 large; large
// deformation; docs/registration.md "Memory"): resident peak = base + per working megavoxel
// (image terms, pyramids, field and gradients, plus each organ's fixed and moving distance
// maps); a front adds its solutions' fields, Jacobians and L-BFGS pairs, which scale with the
// fixed grid.
constexpr double kBaseMib = 58.0;
constexpr double kPerWorkingMegavoxelMib = 122.0;
constexpr double kPerOrganWorkingMegavoxelMib = 10.3;
constexpr double kFrontBaseMib = 79.0;
constexpr double kFrontPerFixedMegavoxelMib = 21.9;

double megavoxels(const Geometry& g) { return double(g.voxel_count()) / 1e6; }

}  // namespace

MemoryEstimate estimate_registration_memory(const Geometry& fixed, const RegistrationConfig& config,
                                            int organs, int front_solutions) {
  MemoryEstimate e;
  e.organs = organs;
  e.front_solutions = front_solutions;
  const Vec3d spacing = level_spacing(fixed, config.deformable.finest_image_spacing_mm);
  double working = 1.0;
  for (int a = 0; a < 3; ++a)
    working *= std::max(1.0, double(fixed.size[a]) * fixed.spacing[a] / spacing[a]);
  e.working_megavoxels = working / 1e6;
  e.peak_mib = kBaseMib + e.working_megavoxels *
                              (kPerWorkingMegavoxelMib + kPerOrganWorkingMegavoxelMib * organs);
  if (front_solutions > 0) e.peak_mib += kFrontBaseMib + kFrontPerFixedMegavoxelMib * megavoxels(fixed);

  // The largest lever: a coarser finest level (the working grid shrinks with its cube).
  RegistrationConfig coarser = config;
  coarser.deformable.finest_image_spacing_mm = config.deformable.finest_image_spacing_mm * 1.5;
  const Vec3d s2 = level_spacing(fixed, coarser.deformable.finest_image_spacing_mm);
  double w2 = 1.0;
  for (int a = 0; a < 3; ++a) w2 *= std::max(1.0, double(fixed.size[a]) * fixed.spacing[a] / s2[a]);
  const double with_coarser =
      e.peak_mib - e.working_megavoxels * (kPerWorkingMegavoxelMib + kPerOrganWorkingMegavoxelMib * organs) +
      w2 / 1e6 * (kPerWorkingMegavoxelMib + kPerOrganWorkingMegavoxelMib * organs);
  e.how_to_reduce = fmt::format(
      "deformable.finest_image_spacing_mm {:g} instead of {:g} needs about {:.0f} MiB{}{}",
      coarser.deformable.finest_image_spacing_mm, config.deformable.finest_image_spacing_mm,
      with_coarser,
      organs > 0 ? fmt::format("; fewer guiding organs save about {:.0f} MiB each",
                               e.working_megavoxels * kPerOrganWorkingMegavoxelMib)
                 : std::string(),
      front_solutions > 0 ? "; a single registration instead of a front saves about " +
                                fmt::format("{:.0f} MiB", kFrontBaseMib + kFrontPerFixedMegavoxelMib * megavoxels(fixed))
                          : std::string());
  return e;
}

double available_memory_mib() {
  std::ifstream meminfo("/proc/meminfo");
  std::string line;
  while (std::getline(meminfo, line)) {
    std::istringstream fields(line);
    std::string key;
    double kib = 0;
    if (fields >> key >> kib && key == "MemAvailable:") return kib / 1024.0;
  }
  return 0.0;
}

}  // namespace modir::reg
