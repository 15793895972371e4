#include <cmath>

#include <fmt/format.h>

#include "modir/core/error.h"
#include "modir/filter/resample.h"
#include "modir/objective/regularity/bending_energy.h"
#include "modir/objective/regularity/jacobian_penalty.h"
#include "modir/objective/regularity/linear_elastic.h"
#include "modir/register/guidance_maps.h"
#include "modir/register/image_terms.h"
#include "modir/register/pyramid.h"
#include "modir/register/stages.h"

namespace modir::reg::detail {

namespace {

double volume_mm3(const Geometry& g) {
  return double(g.voxel_count()) * g.spacing.x * g.spacing.y * g.spacing.z;
}

std::unique_ptr<transform::Parametrisation> make_parametrisation(
    const std::string& model, const Geometry& grid, const transform::BSplineGrid& bspline,
    const transform::AffineTransform& affine) {
  if (model == "svf")
    return std::make_unique<transform::VelocityParametrisation>(grid, bspline, affine);
  return std::make_unique<transform::BSplineParametrisation>(grid, bspline, affine);
}

}  // namespace

void optimise_deformable(const RegistrationInputs& inputs, const RegistrationConfig& config,
                         RegistrationResult& result, const LevelCallback& on_level) {
  const DeformableConfig& def = config.deformable;
  const RegularityConfig& reg = config.regularity;
  const Geometry& fixed_grid = inputs.fixed.geometry();
  const auto ranges_f = intensity_range(inputs.fixed), ranges_m = intensity_range(inputs.moving);
  const std::array<double, 4> ranges{ranges_f[0], ranges_f[1], ranges_m[0], ranges_m[1]};

  std::shared_ptr<const std::vector<objective::OrganDistanceMaps>> organs;
  if (inputs.fixed_labels && inputs.moving_labels && config.guidance.label_weight > 0) {
    organs = organ_distance_maps(*inputs.fixed_labels, *inputs.moving_labels, config.guidance,
                                 def.finest_image_spacing_mm);
    for (const auto& organ : *organs) result.guidance_organs.push_back(organ.name);
  }

  const double coarsest_factor = std::pow(2.0, def.levels - 1);
  transform::BSplineGrid bspline(fixed_grid, def.grid_spacing_mm * coarsest_factor);
  std::vector<double> theta(bspline.parameter_count(), 0.0);
  for (int level = 0; level < def.levels; ++level) {
    const double factor = std::pow(2.0, def.levels - 1 - level);
    if (level > 0) {
      std::copy(theta.begin(), theta.end(), bspline.coefficients().begin());
      bspline = bspline.refined();
      theta.assign(bspline.coefficients().begin(), bspline.coefficients().end());
    }
    const double image_spacing = def.finest_image_spacing_mm * factor;
    Image<float> fixed = downsample(inputs.fixed, level_spacing(fixed_grid, image_spacing));
    Image<float> moving =
        downsample(inputs.moving, level_spacing(inputs.moving.geometry(), image_spacing));
    const Geometry grid = fixed.geometry();
    std::optional<objective::Mask> mask;
    if (inputs.fixed_mask)
      mask = filter::resample(*inputs.fixed_mask, grid, filter::Interpolation::kNearest);

    auto parametrisation = make_parametrisation(def.model, grid, bspline, result.affine);
    Energy energy(*parametrisation);
    if (config.image.weight > 0) {
      energy.add(make_image_term(config.image.metric, config.image, std::move(fixed),
                                 std::move(moving), std::move(mask), ranges),
                 config.image.weight);
    }
    add_guidance_terms(energy, inputs, config.guidance, organs, grid);
    const double volume = volume_mm3(fixed_grid);
    if (reg.bending_weight > 0) {
      energy.add(std::make_unique<objective::BendingEnergy>(
                     bspline.control_size(), bspline.spacing(), fixed_grid.direction, volume),
                 reg.bending_weight);
    }
    if (reg.elastic_weight > 0) {
      energy.add(std::make_unique<objective::LinearElasticEnergy>(
                     bspline.control_size(), bspline.spacing(), fixed_grid.direction, volume,
                     reg.elastic_mu, reg.elastic_lambda),
                 reg.elastic_weight);
    }
    if (reg.jacobian_weight > 0) {
      energy.add(std::make_unique<objective::JacobianPenalty>(reg.jacobian_threshold),
                 reg.jacobian_weight);
    }

    LevelLog log;
    log.stage = def.model;
    log.level = level;
    log.grid = grid;
    log.control_spacing_mm = bspline.spacing();
    const int iterations = def.iterations.size() == 1
                               ? def.iterations[0]
                               : def.iterations[static_cast<std::size_t>(level)];
    // A first step that moves the coefficients by about a voxel of this level in total.
    minimise(energy, theta, iterations, image_spacing, config.optimizer, log);
    if (on_level) on_level(log);
    result.levels.push_back(std::move(log));
  }
  std::copy(theta.begin(), theta.end(), bspline.coefficients().begin());
  result.grid = std::move(bspline);
  result.model = def.model;
}

}  // namespace modir::reg::detail
