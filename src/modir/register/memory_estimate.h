#pragma once

// How much memory a registration will need, said before it starts: a run that does not fit is
// refused with the estimate and how to make it fit, instead of dying part-way.

#include <string>

#include "modir/core/geometry.h"
#include "modir/register/registration_config.h"

namespace modir::reg {

struct MemoryEstimate {
  double peak_mib = 0.0;
  double working_megavoxels = 0.0;  ///< the finest deformable level's grid, millions of voxels
  int organs = 0;
  int front_solutions = 0;  ///< 0: a single registration
  /// What would lower it most, for the message of a run that does not fit.
  std::string how_to_reduce;
};

/// The peak resident memory of `modir register` (with `front_solutions` > 0: `--pareto N`) on a
/// fixed scan of this grid with `organs` guiding label values. An empirical model of the fixed
/// scan's own grid and of the working grid (the fixed scan at deformable.finest_image_spacing_mm),
/// calibrated on phantom pairs of three sizes (docs/registration.md, "Memory"): within 5 % of the
/// measured peak of single registrations on them.
MemoryEstimate estimate_registration_memory(const Geometry& fixed, const RegistrationConfig& config,
                                            int organs, int front_solutions);

}  // namespace modir::reg
