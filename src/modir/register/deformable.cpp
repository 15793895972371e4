#include <algorithm>
#include <cmath>

#include "modir/core/error.h"
#include "modir/filter/resample.h"
#include "modir/objective/guidance/label_distance_term.h"
#include "modir/objective/regularity/bending_energy.h"
#include "modir/objective/regularity/jacobian_penalty.h"
#include "modir/objective/regularity/linear_elastic.h"
#include "modir/objective/regularity/rigidity_penalty.h"
#include "modir/register/deformable_level.h"
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

DeformableContext make_deformable_context(const RegistrationInputs& inputs,
                                          const RegistrationConfig& config,
                                          const ImageTermMask& image_mask) {
  DeformableContext c;
  c.inputs = &inputs;
  c.config = &config;
  c.image_mask = image_mask.mask;
  const auto f = intensity_range(inputs.fixed), m = intensity_range(inputs.moving);
  c.intensity_ranges = {f[0], f[1], m[0], m[1]};
  if (inputs.fixed_labels && inputs.moving_labels && config.guidance.label_weight > 0) {
    c.organs = organ_distance_maps(*inputs.fixed_labels, *inputs.moving_labels, config.guidance,
                                   config.deformable.finest_image_spacing_mm);
  }
  if (auto mask = rigidity_mask(inputs, config.rigidity))
    c.rigidity = std::make_shared<const RigidityMask>(std::move(*mask));
  return c;
}

void record_rigidity(const DeformableContext& context, RegistrationResult& result) {
  if (!context.rigidity) return;
  const RigidityMask& m = *context.rigidity;
  result.rigidity = RigidityUsed{m.source, m.volume_ml, m.pieces, m.left_out_ml, m.skipped};
}

transform::BSplineGrid coarsest_grid(const RegistrationInputs& inputs,
                                     const DeformableConfig& config) {
  return transform::BSplineGrid(inputs.fixed.geometry(),
                                config.grid_spacing_mm * std::pow(2.0, config.levels - 1));
}

int level_iterations(const DeformableConfig& config, int level) {
  return config.iterations.size() == 1 ? config.iterations[0]
                                       : config.iterations[static_cast<std::size_t>(level)];
}

DeformableLevel build_deformable_level(const DeformableContext& context, int level,
                                       const transform::BSplineGrid& bspline,
                                       const transform::AffineTransform& affine) {
  const RegistrationInputs& inputs = *context.inputs;
  const RegistrationConfig& config = *context.config;
  const DeformableConfig& def = config.deformable;
  const RegularityConfig& reg = config.regularity;
  const Geometry& fixed_grid = inputs.fixed.geometry();

  DeformableLevel out;
  out.image_spacing_mm = def.finest_image_spacing_mm * std::pow(2.0, def.levels - 1 - level);
  Image<float> fixed = downsample(inputs.fixed, level_spacing(fixed_grid, out.image_spacing_mm));
  Image<float> moving =
      downsample(inputs.moving, level_spacing(inputs.moving.geometry(), out.image_spacing_mm));
  out.grid = fixed.geometry();
  std::optional<objective::Mask> mask;
  if (context.image_mask)
    mask = filter::resample(*context.image_mask, out.grid, filter::Interpolation::kNearest);

  out.parametrisation = make_parametrisation(def.model, out.grid, bspline, affine);
  out.energy = std::make_unique<Energy>(*out.parametrisation);
  Energy& energy = *out.energy;
  if (config.image.weight > 0) {
    energy.add(make_image_term(config.image.metric, config.image, std::move(fixed),
                               std::move(moving), std::move(mask), context.intensity_ranges),
               config.image.weight);
  }
  add_guidance_terms(energy, inputs, config.guidance, context.organs, out.grid);
  const double volume = volume_mm3(fixed_grid);
  if (reg.bending_weight > 0) {
    energy.add(std::make_unique<objective::BendingEnergy>(bspline.control_size(), bspline.spacing(),
                                                          fixed_grid.direction, volume),
               reg.bending_weight);
  }
  if (reg.elastic_weight > 0) {
    energy.add(std::make_unique<objective::LinearElasticEnergy>(
                   bspline.control_size(), bspline.spacing(), fixed_grid.direction, volume,
                   reg.elastic_mu, reg.elastic_lambda),
               reg.elastic_weight);
  }
  if (context.rigidity && context.rigidity->skipped.empty()) {
    const RigidityConfig& rc = config.rigidity;
    const objective::Mask rigid =
        filter::resample(context.rigidity->mask, out.grid, filter::Interpolation::kNearest);
    const Size3 stride = out.grid.sampling_stride(rc.sample_spacing_mm);
    energy.add(std::make_unique<objective::RigidityPenalty>(
                   rigid, stride,
                   objective::RigidityConditions{rc.orthonormality, rc.properness, rc.affinity}),
               rc.weight * (context.rigidity->drawn ? rc.label_mask_scale : 1.0),
               /*constraint=*/true);
  }
  if (reg.jacobian_weight > 0) {
    energy.add(std::make_unique<objective::JacobianPenalty>(reg.jacobian_threshold),
               reg.jacobian_weight,
               /*constraint=*/true);
  }
  return out;
}

namespace {

// The finest level's share of each cut-off organ's band that did not guide.
void record_band_left_out(const Energy& energy, RegistrationResult& result) {
  for (const auto& term : energy.field_terms()) {
    const auto* labels = dynamic_cast<const objective::LabelDistanceTerm*>(term.get());
    if (!labels) continue;
    const std::vector<double>& left_out = labels->left_out_fraction();
    for (CutOffOrgan& cut : result.guidance_cut_off) {
      const auto at = std::find(result.guidance_organs.begin(), result.guidance_organs.end(),
                                cut.organ);
      const auto k = static_cast<std::size_t>(at - result.guidance_organs.begin());
      if (k < left_out.size()) cut.band_left_out = left_out[k];
    }
  }
}

}  // namespace

void prepare_level(int level, LevelState& state) {
  if (level == 0) return;
  std::copy(state.theta.begin(), state.theta.end(), state.bspline.coefficients().begin());
  state.bspline = state.bspline.refined();
  state.theta.assign(state.bspline.coefficients().begin(), state.bspline.coefficients().end());
}

LevelState run_deformable_levels(
    const DeformableContext& context, int level_count, RegistrationResult& result,
    const LevelCallback& on_level,
    const std::function<void(const DeformableLevel&, int level)>& after_level) {
  const RegistrationConfig& config = *context.config;
  const DeformableConfig& def = config.deformable;
  LevelState state{coarsest_grid(*context.inputs, def), {}};
  state.theta.assign(state.bspline.parameter_count(), 0.0);
  for (int level = 0; level < level_count; ++level) {
    prepare_level(level, state);
    DeformableLevel l = build_deformable_level(context, level, state.bspline, result.affine);
    LevelLog log;
    log.stage = def.model;
    log.level = level;
    log.grid = l.grid;
    log.control_spacing_mm = state.bspline.spacing();
    // A first step that moves the coefficients by about a voxel of this level in total.
    minimise(*l.energy, state.theta, level_iterations(def, level), l.image_spacing_mm,
             config.optimizer, log);
    if (on_level) on_level(log);
    result.levels.push_back(std::move(log));
    if (after_level) after_level(l, level);
  }
  return state;
}

void record_image_mask(const ImageTermMask& image_mask, RegistrationResult& result) {
  result.image_mask_source = image_mask.source;
  result.image_mask_share = image_mask.share;
  result.image_mask_note = image_mask.note;
}

void optimise_deformable(const RegistrationInputs& inputs, const RegistrationConfig& config,
                         const ImageTermMask& image_mask, RegistrationResult& result,
                         const LevelCallback& on_level) {
  const DeformableConfig& def = config.deformable;
  const DeformableContext context = make_deformable_context(inputs, config, image_mask);
  record_guidance(context.organs, result);
  record_rigidity(context, result);
  LevelState state = run_deformable_levels(
      context, def.levels, result, on_level, [&](const DeformableLevel& l, int level) {
        if (level + 1 == def.levels) record_band_left_out(*l.energy, result);
      });
  std::copy(state.theta.begin(), state.theta.end(), state.bspline.coefficients().begin());
  result.grid = std::move(state.bspline);
  result.model = def.model;
}

}  // namespace modir::reg::detail
