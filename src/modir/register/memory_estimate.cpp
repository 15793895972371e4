#include "modir/register/memory_estimate.h"

#include <fmt/format.h>

#include "modir/register/pyramid.h"

namespace modir::reg {

namespace {

// Coefficients fitted on phantom pairs (seed 7 small, 302 medium, 303 large; large deformation;
// image only and guided, finest spacing 1.5 and 1.75 mm; bench/memory/register_memory.py and
// docs/registration.md "Memory"): resident peak = base + per input megavoxel (the scans at their
// own resolution, and the outputs written at it: field, Jacobian, warped images) + per working
// megavoxel (image terms, pyramids, field and gradients, plus each organ's fixed and moving
// distance maps); a front adds its solutions' fields, Jacobians and L-BFGS pairs, which scale
// with the fixed grid.
constexpr double kBaseMib = 71.0;
constexpr double kPerInputMegavoxelMib = 14.1;
constexpr double kPerWorkingMegavoxelMib = 87.7;
constexpr double kPerOrganWorkingMegavoxelMib = 11.7;
constexpr double kFrontBaseMib = 79.0;
// The image terms' mask (image.mask "body", register/image_mask.h): one byte a fixed voxel held
// for the whole run, and its copies on each level's grid. Measured, not fitted with the rest:
// +15 MiB on the 24 medium development pairs of bench/accuracy (6.3 million voxels; 2026-12-07).
constexpr double kBodyMaskPerInputMegavoxelMib = 2.4;
constexpr double kFrontPerFixedMegavoxelMib = 21.9;

double megavoxels(const Geometry& g) { return double(g.voxel_count()) / 1e6; }

// The fixed scan's field of view at the finest deformable level's spacing, in millions of voxels.
double working_megavoxels(const Geometry& fixed, double spacing_mm) {
  const Vec3d spacing = level_spacing(fixed, spacing_mm);
  double voxels = 1.0;
  for (int a = 0; a < 3; ++a)
    voxels *= std::max(1.0, double(fixed.size[a]) * fixed.spacing[a] / spacing[a]);
  return voxels / 1e6;
}

double registration_mib(const Geometry& fixed, double working, int organs) {
  return kBaseMib + kPerInputMegavoxelMib * megavoxels(fixed) +
         working * (kPerWorkingMegavoxelMib + kPerOrganWorkingMegavoxelMib * organs);
}

double front_mib(const Geometry& fixed) {
  return kFrontBaseMib + kFrontPerFixedMegavoxelMib * megavoxels(fixed);
}

}  // namespace

MemoryEstimate estimate_registration_memory(const Geometry& fixed, const RegistrationConfig& config,
                                            int organs, int front_solutions) {
  MemoryEstimate e;
  e.organs = organs;
  e.front_solutions = front_solutions;
  const double spacing = config.deformable.finest_image_spacing_mm;
  e.working_megavoxels = working_megavoxels(fixed, spacing);
  e.peak_mib = registration_mib(fixed, e.working_megavoxels, organs);
  if (config.image.mask == "body") e.peak_mib += kBodyMaskPerInputMegavoxelMib * megavoxels(fixed);
  if (front_solutions > 0) e.peak_mib += front_mib(fixed);

  // The largest lever: a coarser finest level (the working grid shrinks with up to its cube).
  const double coarser = spacing * 1.5;
  const double with_coarser = e.peak_mib - registration_mib(fixed, e.working_megavoxels, organs) +
                              registration_mib(fixed, working_megavoxels(fixed, coarser), organs);
  e.how_to_reduce = fmt::format(
      "deformable.finest_image_spacing_mm {:g} instead of {:g} needs about {:.0f} MiB{}{}", coarser,
      spacing, with_coarser,
      organs > 0 ? fmt::format("; fewer guiding organs save about {:.0f} MiB each",
                               e.working_megavoxels * kPerOrganWorkingMegavoxelMib)
                 : std::string(),
      front_solutions > 0
          ? fmt::format("; a single registration instead of a front saves about {:.0f} MiB",
                        front_mib(fixed))
          : std::string());
  return e;
}

}  // namespace modir::reg
