#pragma once

// The stages of register_images, one file each; internal to the register module.

#include "modir/objective/guidance/label_distance_term.h"
#include "modir/optimize/lbfgs.h"
#include "modir/register/image_mask.h"
#include "modir/register/registration.h"

namespace modir::reg::detail {

/// The starting affine map: identity, the translation between intensity centres of mass, or a
/// file's.
transform::AffineTransform initial_affine(const RegistrationInputs& inputs,
                                          const InitialisationConfig& config);

/// Rigid then affine optimisation over the initialisation levels; appends to result.levels.
transform::AffineTransform optimise_affine(const RegistrationInputs& inputs,
                                           const RegistrationConfig& config,
                                           const ImageTermMask& image_mask,
                                           const transform::AffineTransform& start,
                                           RegistrationResult& result,
                                           const LevelCallback& on_level);

/// The initial map, a check that the scans then overlap at all (a data error naming both
/// extents otherwise), and the rigid and affine stages; records the overlap before and after in
/// `result` and returns the affine map.
transform::AffineTransform align_affinely(const RegistrationInputs& inputs,
                                          const RegistrationConfig& config,
                                          const ImageTermMask& image_mask,
                                          RegistrationResult& result,
                                          const LevelCallback& on_level);

/// The deformable model over its pyramid levels, coarse to fine; fills result.grid.
void optimise_deformable(const RegistrationInputs& inputs, const RegistrationConfig& config,
                         const ImageTermMask& image_mask, RegistrationResult& result,
                         const LevelCallback& on_level);

/// Writes where the image terms counted into `result`.
void record_image_mask(const ImageTermMask& image_mask, RegistrationResult& result);

/// Adds the guidance terms (labels, landmarks) that the inputs allow to an energy on `grid`.
void add_guidance_terms(
    Energy& energy, const RegistrationInputs& inputs, const GuidanceConfig& config,
    const std::shared_ptr<const std::vector<objective::OrganDistanceMaps>>& organs,
    const Geometry& grid);

/// Writes the guiding organs, and the islands left out of them, into `result` (nothing without
/// label guidance).
void record_guidance(const std::shared_ptr<const std::vector<objective::OrganDistanceMaps>>& organs,
                     RegistrationResult& result);

/// Runs L-BFGS on an energy from theta, filling the log's history, counts and term values.
/// `warm_memory`: curvature pairs to start from (a neighbouring solve's); `memory_out`: where to
/// keep this run's final pairs.
void minimise(Energy& energy, std::vector<double>& theta, int iterations, double initial_step,
              const OptimizerConfig& config, LevelLog& log,
              const optimize::LbfgsMemory* warm_memory = nullptr,
              optimize::LbfgsMemory* memory_out = nullptr);

}  // namespace modir::reg::detail
