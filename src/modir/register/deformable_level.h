#pragma once

// Building one pyramid level of the deformable stage; shared by the single registration and the
// Pareto front (which reuses the coarse levels and varies the weights on the finest).

#include <array>
#include <memory>
#include <vector>

#include "modir/objective/guidance/label_distance_term.h"
#include "modir/register/energy.h"
#include "modir/register/registration.h"
#include "modir/register/rigidity_mask.h"

namespace modir::reg::detail {

/// What every level of one registration shares: the inputs, the config, MI's intensity ranges and
/// the organs' distance maps (computed once).
struct DeformableContext {
  const RegistrationInputs* inputs = nullptr;
  const RegistrationConfig* config = nullptr;
  std::array<double, 4> intensity_ranges{};
  std::shared_ptr<const std::vector<objective::OrganDistanceMaps>> organs;
  std::shared_ptr<const RigidityMask> rigidity;  ///< on the fixed grid; null when off
};

/// What the rigidity penalty used, for the result.
void record_rigidity(const DeformableContext& context, RegistrationResult& result);

DeformableContext make_deformable_context(const RegistrationInputs& inputs,
                                          const RegistrationConfig& config);

/// One level's parametrisation and energy (the energy refers to the parametrisation).
struct DeformableLevel {
  std::unique_ptr<transform::Parametrisation> parametrisation;
  std::unique_ptr<Energy> energy;
  Geometry grid;
  double image_spacing_mm = 0.0;
};

/// Level `level` (0 = coarsest) with the control grid `bspline` after the map `affine`.
DeformableLevel build_deformable_level(const DeformableContext& context, int level,
                                       const transform::BSplineGrid& bspline,
                                       const transform::AffineTransform& affine);

/// The control grid of the coarsest level.
transform::BSplineGrid coarsest_grid(const RegistrationInputs& inputs,
                                     const DeformableConfig& config);

int level_iterations(const DeformableConfig& config, int level);

}  // namespace modir::reg::detail
