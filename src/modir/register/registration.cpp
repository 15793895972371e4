#include "modir/register/registration.h"

#include <chrono>

#include "modir/core/error.h"
#include "modir/register/stages.h"
#include "modir/transform/parametrisation.h"

namespace modir::reg {

RegistrationResult register_images(const RegistrationInputs& inputs,
                                   const RegistrationConfig& config,
                                   const LevelCallback& on_level) {
  validate(config);
  const auto start = std::chrono::steady_clock::now();
  RegistrationResult result;
  const ImageTermMask image_mask = image_term_mask(inputs, config.image);
  detail::record_image_mask(image_mask, result);
  result.affine = detail::align_affinely(inputs, config, image_mask, result, on_level);
  if (config.deformable.model != "none")
    detail::optimise_deformable(inputs, config, image_mask, result, on_level);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

double landmark_term_weight(const GuidanceConfig& config, const RegistrationInputs& inputs) {
  if (!inputs.landmarks) return 0.0;
  return inputs.automatic_landmarks ? config.auto_landmark_weight : config.landmark_weight;
}

DisplacementField displacement_on(const RegistrationResult& result, const Geometry& grid) {
  DisplacementField u(grid);
  if (!result.grid || result.model == "none") {
    transform::affine_field(result.affine, u);
    return u;
  }
  const auto coefficients = result.grid->coefficients();
  if (result.model == "svf") {
    transform::VelocityParametrisation p(grid, *result.grid, result.affine, false);
    p.field(coefficients, u);
  } else {
    transform::BSplineParametrisation p(grid, *result.grid, result.affine);
    p.field(coefficients, u);
  }
  return u;
}

}  // namespace modir::reg
