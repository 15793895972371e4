#pragma once

// Building one pyramid level of the deformable stage; shared by the single registration and the
// Pareto front (which reuses the coarse levels and varies the weights on the finest).

#include <array>
#include <functional>
#include <memory>
#include <vector>

#include "modir/objective/guidance/label_distance_term.h"
#include "modir/register/energy.h"
#include "modir/register/image_mask.h"
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
  /// Where the image terms count, on the fixed grid; null: everywhere.
  std::shared_ptr<const Image<std::uint8_t>> image_mask;
};

/// What the rigidity penalty used, for the result.
void record_rigidity(const DeformableContext& context, RegistrationResult& result);

DeformableContext make_deformable_context(const RegistrationInputs& inputs,
                                          const RegistrationConfig& config,
                                          const ImageTermMask& image_mask);

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

/// The control grid and its coefficients as the coarse-to-fine levels hand them on.
struct LevelState {
  transform::BSplineGrid bspline;
  std::vector<double> theta;
};

/// Readies `state` for level `level`: past the coarsest, the coefficients found so far are set
/// and the grid refined (halved spacing, same field).
void prepare_level(int level, LevelState& state);

/// The one coarse-to-fine loop of the deformable stage: levels 0 .. level_count - 1 with the
/// config's weights, from a zero field on the coarsest grid after `result.affine`. Each level's
/// log goes to `on_level` and result.levels; `after_level` sees each level's energy once it is
/// optimised. The single registration runs every level; the front all but the finest, which it
/// then solves once per weight vector.
LevelState run_deformable_levels(
    const DeformableContext& context, int level_count, RegistrationResult& result,
    const LevelCallback& on_level,
    const std::function<void(const DeformableLevel&, int level)>& after_level = {});

}  // namespace modir::reg::detail
