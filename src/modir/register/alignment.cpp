#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "modir/core/error.h"
#include "modir/core/parallel.h"
#include "modir/filter/resample.h"
#include "modir/objective/guidance/landmark_term.h"
#include "modir/optimize/lbfgs.h"
#include "modir/register/guidance_maps.h"
#include "modir/register/image_terms.h"
#include "modir/register/overlap.h"
#include "modir/register/pyramid.h"
#include "modir/register/stages.h"
#include "modir/register/transform_file.h"

namespace modir::reg::detail {

namespace {

// Intensity centre of mass, with the image minimum as zero (air in CT) so the body dominates.
Vec3d centre_of_mass(const Image<float>& image) {
  const Geometry& g = image.geometry();
  const float lowest = *std::min_element(image.buffer().begin(), image.buffer().end());
  std::vector<std::array<double, 4>> per_slice(static_cast<std::size_t>(g.size[2]));
  parallel_for_slices(g.size[2], [&](std::int64_t z) {
    std::array<double, 4> s{};
    for (std::int64_t y = 0; y < g.size[1]; ++y)
      for (std::int64_t x = 0; x < g.size[0]; ++x) {
        const double w = image(x, y, z) - lowest;
        s[0] += w * double(x);
        s[1] += w * double(y);
        s[2] += w * double(z);
        s[3] += w;
      }
    per_slice[static_cast<std::size_t>(z)] = s;
  });
  std::array<double, 4> s{};
  for (const auto& p : per_slice)
    for (int k = 0; k < 4; ++k) s[static_cast<std::size_t>(k)] += p[static_cast<std::size_t>(k)];
  if (s[3] <= 0) return grid_centre(g);
  return g.index_to_world({s[0] / s[3], s[1] / s[3], s[2] / s[3]});
}

}  // namespace

transform::AffineTransform initial_affine(const RegistrationInputs& inputs,
                                          const InitialisationConfig& config) {
  transform::AffineTransform affine;
  if (config.mode == "moments") {
    affine.translation = centre_of_mass(inputs.moving) - centre_of_mass(inputs.fixed);
  } else if (config.mode == "file") {
    affine = read_affine_file(config.file);
  }
  return affine;
}

void minimise(Energy& energy, std::vector<double>& theta, int iterations, double initial_step,
              const OptimizerConfig& config, LevelLog& log,
              const optimize::LbfgsMemory* warm_memory, optimize::LbfgsMemory* memory_out) {
  const auto start = std::chrono::steady_clock::now();
  optimize::LbfgsOptions options;
  options.max_iterations = iterations;
  options.memory = config.memory;
  options.relative_tolerance = config.relative_tolerance;
  options.patience = config.patience;
  options.initial_step = initial_step;
  options.initial_memory = warm_memory;
  options.return_memory = memory_out != nullptr;
  // The term values at the start and at the end are read from the optimiser's own evaluations
  // where it made them at those points (its first one always is at the start), rather than paying
  // for two more evaluations: on the finest level of a front that is most of a solution's time.
  const std::vector<double> start_theta = theta;
  std::vector<double> last_x;
  bool have_start = false;
  optimize::LbfgsResult r = optimize::minimize_lbfgs(
      [&](std::span<const double> x, std::span<double> g) {
        const double value = energy(x, g);
        if (!have_start && std::equal(x.begin(), x.end(), start_theta.begin())) {
          log.start_terms = energy.term_values();
          have_start = true;
        }
        last_x.assign(x.begin(), x.end());
        return value;
      },
      theta, options);
  int extra = 0;
  std::vector<double> scratch(theta.size());
  if (!have_start) {
    energy(start_theta, scratch);
    log.start_terms = energy.term_values();
    last_x = start_theta;
    ++extra;
  }
  if (last_x != theta) {
    energy(theta, scratch);  // the line search's last trial was not the point kept
    ++extra;
  }
  log.end_terms = energy.term_values();
  if (memory_out) *memory_out = std::move(r.memory);
  log.iterations = r.iterations;
  log.evaluations = r.evaluations + extra;
  log.stop_reason = r.stop_reason;
  log.history = r.history;
  log.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void add_guidance_terms(
    Energy& energy, const RegistrationInputs& inputs, const GuidanceConfig& config,
    const std::shared_ptr<const std::vector<objective::OrganDistanceMaps>>& organs,
    const Geometry& grid) {
  if (organs && config.label_weight > 0) {
    energy.add(std::make_unique<objective::LabelDistanceTerm>(
                   organs, grid, config.band_mm, config.sample_spacing_mm,
                   config.label_loss == "tukey" ? objective::LabelLoss::kTukey
                                                : objective::LabelLoss::kSquared),
               config.label_weight);
  }
  const double landmark_weight = landmark_term_weight(config, inputs);
  if (landmark_weight > 0) {
    energy.add(
        std::make_unique<objective::LandmarkTerm>(inputs.landmarks->fixed, inputs.landmarks->moving,
                                                  grid, inputs.landmarks->weights),
        landmark_weight);
  }
}

void record_guidance(const std::shared_ptr<const std::vector<objective::OrganDistanceMaps>>& organs,
                     RegistrationResult& result) {
  if (!organs) return;
  for (const auto& organ : *organs) {
    result.guidance_organs.push_back(organ.name);
    if (organ.fixed_cut_off || organ.moving_cut.voxel_count() > 0)
      result.guidance_cut_off.push_back(
          {organ.name, organ.fixed_cut_off, organ.moving_cut.voxel_count() > 0, 0.0});
    if (organ.fixed_islands_ml > 0 || organ.moving_islands_ml > 0)
      result.guidance_islands.push_back(
          {organ.name, organ.fixed_islands_ml, organ.moving_islands_ml});
  }
}

transform::AffineTransform optimise_affine(const RegistrationInputs& inputs,
                                           const RegistrationConfig& config,
                                           const ImageTermMask& image_mask,
                                           const transform::AffineTransform& start,
                                           RegistrationResult& result,
                                           const LevelCallback& on_level) {
  const InitialisationConfig& ini = config.initialisation;
  transform::AffineTransform affine = start;
  const Vec3d centre = grid_centre(inputs.fixed.geometry());
  const auto ranges_f = intensity_range(inputs.fixed), ranges_m = intensity_range(inputs.moving);
  const std::array<double, 4> ranges{ranges_f[0], ranges_f[1], ranges_m[0], ranges_m[1]};
  std::shared_ptr<const std::vector<objective::OrganDistanceMaps>> organs;
  if (inputs.fixed_labels && inputs.moving_labels && config.guidance.label_weight > 0) {
    organs = organ_distance_maps(*inputs.fixed_labels, *inputs.moving_labels, config.guidance,
                                 ini.level_spacings_mm.back());
  }
  // Without a deformable stage these maps are the only ones; the report lists their organs.
  if (config.deformable.model == "none") record_guidance(organs, result);
  // The rigid and the affine stage run on the same levels: smooth and resample each level once.
  std::vector<std::optional<std::pair<Image<float>, Image<float>>>> pyramid(
      ini.level_spacings_mm.size());
  for (const auto kind : {transform::AffineParametrisation::Kind::kRigid,
                          transform::AffineParametrisation::Kind::kAffine}) {
    const bool rigid = kind == transform::AffineParametrisation::Kind::kRigid;
    if ((rigid && !ini.rigid) || (!rigid && !ini.affine) || ini.iterations == 0) continue;
    for (std::size_t level = 0; level < ini.level_spacings_mm.size(); ++level) {
      const double spacing = ini.level_spacings_mm[level];
      if (!pyramid[level]) {
        pyramid[level].emplace(
            downsample(inputs.fixed, level_spacing(inputs.fixed.geometry(), spacing)),
            downsample(inputs.moving, level_spacing(inputs.moving.geometry(), spacing)));
      }
      Image<float> fixed = pyramid[level]->first;
      Image<float> moving = pyramid[level]->second;
      const Geometry grid = fixed.geometry();
      std::optional<objective::Mask> mask;
      if (image_mask.mask)
        mask = filter::resample(*image_mask.mask, grid, filter::Interpolation::kNearest);
      transform::AffineParametrisation parametrisation(grid, kind, centre, 100.0);
      Energy energy(parametrisation);
      energy.add(make_image_term(ini.metric, config.image, std::move(fixed), std::move(moving),
                                 std::move(mask), ranges),
                 config.image.weight);
      add_guidance_terms(energy, inputs, config.guidance, organs, grid);
      std::vector<double> theta = parametrisation.parameters_of(affine);
      LevelLog log;
      log.stage = rigid ? "rigid" : "affine";
      log.level = static_cast<int>(level);
      log.grid = grid;
      minimise(energy, theta, ini.iterations, spacing, config.optimizer, log);
      affine = parametrisation.transform(theta);
      if (on_level) on_level(log);
      result.levels.push_back(std::move(log));
    }
  }
  return affine;
}

transform::AffineTransform align_affinely(const RegistrationInputs& inputs,
                                          const RegistrationConfig& config,
                                          const ImageTermMask& image_mask,
                                          RegistrationResult& result,
                                          const LevelCallback& on_level) {
  result.affine = initial_affine(inputs, config.initialisation);
  const Geometry& fixed = inputs.fixed.geometry();
  const Geometry& moving = inputs.moving.geometry();
  result.overlap_initial = overlap_fraction(fixed, moving, result.affine);
  if (result.overlap_initial == 0.0) {
    const auto extent = [](const Geometry& g) {
      const Vec3d a = g.index_to_world({0, 0, 0});
      const Vec3d b = g.index_to_world(
          {double(g.size[0] - 1), double(g.size[1] - 1), double(g.size[2] - 1)});
      return fmt::format("({:.0f}, {:.0f}, {:.0f}) .. ({:.0f}, {:.0f}, {:.0f}) mm", a.x, a.y, a.z,
                         b.x, b.y, b.z);
    };
    throw data_error(
        "the fixed and moving scans do not overlap after initialisation '{}' (fixed {}, moving "
        "{}, LPS): nothing to register; check that they show the same patient, or start from an "
        "affine file (initialisation.mode 'file')",
        config.initialisation.mode, extent(fixed), extent(moving));
  }
  result.affine = optimise_affine(inputs, config, image_mask, result.affine, result, on_level);
  result.overlap_after_affine = overlap_fraction(fixed, moving, result.affine);
  return result.affine;
}

}  // namespace modir::reg::detail
