#include "modir/register/pareto_front.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "modir/objective/guidance/label_distance_term.h"
#include "modir/objective/guidance/landmark_term.h"
#include "modir/optimize/pareto/dominance.h"
#include "modir/optimize/pareto/hypervolume.h"
#include "modir/register/common_descent.h"
#include "modir/register/deformable_level.h"
#include "modir/register/objective_values.h"
#include "modir/register/stages.h"

namespace modir::reg {

namespace {

using objective::ObjectiveGroup;

// A solution keeps its final curvature pairs for its neighbours' warm starts, in float32: on a
// medium pair (280k coefficients, 7 pairs) that is 0.19 GB for a front of 12 instead of 0.38 GB
// in double. Keeping only the newest 4 lowered the joint hypervolume on medium_large_s21 from
// 0.671 to 0.665.
void keep_curvature(const optimize::LbfgsMemory& memory, FrontSolution& s) {
  s.curvature_s.clear();
  s.curvature_y.clear();
  for (std::size_t k = 0; k < memory.s.size() && k < memory.y.size(); ++k) {
    s.curvature_s.emplace_back(memory.s[k].begin(), memory.s[k].end());
    s.curvature_y.emplace_back(memory.y[k].begin(), memory.y[k].end());
  }
}

optimize::LbfgsMemory curvature_of(const FrontSolution& s) {
  optimize::LbfgsMemory memory;
  for (std::size_t k = 0; k < s.curvature_s.size(); ++k) {
    memory.s.emplace_back(s.curvature_s[k].begin(), s.curvature_s[k].end());
    memory.y.emplace_back(s.curvature_y[k].begin(), s.curvature_y[k].end());
  }
  return memory;
}

// Van der Corput radical inverse in base 2: the second coordinate of the Hammersley set.
double radical_inverse(unsigned i) {
  double result = 0.0, f = 0.5;
  while (i) {
    result += f * (i & 1u);
    i >>= 1u;
    f *= 0.5;
  }
  return result;
}

// Points in [-1, 1]^dims, evenly spread; the first is the centre (the config's own weights).
std::vector<std::vector<double>> weight_design(int count, int dims) {
  std::vector<std::vector<double>> points{std::vector<double>(static_cast<std::size_t>(dims), 0.0)};
  for (int i = 0; i < count - 1; ++i) {
    const int n = count - 1;
    if (dims == 1) {
      // Evenly over [-1, 1] without the centre, which is already in.
      const double t = n == 1 ? 1.0 : -1.0 + 2.0 * i / double(n - 1);
      points.push_back({t});
    } else {
      points.push_back(
          {2.0 * (i + 0.5) / n - 1.0, 2.0 * radical_inverse(static_cast<unsigned>(i)) - 1.0});
    }
  }
  return points;
}

struct Runner {
  const RegistrationConfig& config;
  const FrontConfig& front;
  detail::DeformableLevel& finest;
  std::vector<ObjectiveGroup> varying;  // groups whose multiplier varies (besides image)
  const LevelCallback& on_level;
  int finest_level = 0;

  // Solves weight vector t from `start`. The first solution (no neighbour) gets the finest
  // level's own iteration count, exactly as a single registration, then the common-descent
  // polish; the others get front.iterations from their neighbour's coefficients and curvature.
  FrontSolution solve(const std::vector<double>& t, const FrontSolution* neighbour,
                      const std::vector<double>& start, int iterations) {
    FrontSolution s;
    for (std::size_t k = 0; k < varying.size(); ++k)
      s.multipliers[static_cast<std::size_t>(varying[k])] = std::pow(10.0, t[k] * front.decades);
    s.theta = start;
    finest.energy->set_group_weights(s.multipliers);
    s.log.stage = "pareto";
    s.log.level = finest_level;
    s.log.grid = finest.grid;
    // A warm start takes the neighbour's curvature pairs too: its energy differs from this one
    // only by the group weights, so its pairs make the first steps quasi-Newton steps.
    const bool warm = neighbour && front.warm_curvature;
    const optimize::LbfgsMemory warm_memory =
        warm ? curvature_of(*neighbour) : optimize::LbfgsMemory{};
    optimize::LbfgsMemory memory;
    detail::minimise(*finest.energy, s.theta, iterations, finest.image_spacing_mm, config.optimizer,
                     s.log, warm ? &warm_memory : nullptr, &memory);
    if (front.warm_curvature) keep_curvature(memory, s);
    if (!neighbour && front.polish_steps > 0) {
      // Half a voxel of the finest images for the largest coefficient, then halved as needed.
      const auto polish = detail::common_descent(*finest.energy, s.theta, front.polish_steps,
                                                 0.5 * finest.image_spacing_mm, s.log);
      s.log.stop_reason += fmt::format(", then {} common-descent step{}{}", polish.steps,
                                       polish.steps == 1 ? "" : "s",
                                       polish.stationary ? " (Pareto-stationary)" : "");
    }
    s.group_values = finest.energy->group_values();
    for (const auto& term : finest.energy->field_terms()) {
      if (const auto* labels = dynamic_cast<const objective::LabelDistanceTerm*>(term.get()))
        s.organ_rms_mm = labels->organ_rms_mm();
    }
    for (const TermValue& v : s.log.end_terms)
      if (v.name == "landmark distance") s.landmark_rms_mm = std::sqrt(std::max(v.value, 0.0));
    if (on_level) on_level(s.log);
    return s;
  }
};

double squared_distance(const std::vector<double>& a, const std::vector<double>& b) {
  double d = 0;
  for (std::size_t i = 0; i < a.size(); ++i) d += (a[i] - b[i]) * (a[i] - b[i]);
  return d;
}

}  // namespace

std::vector<double> reported_objectives(const ParetoFront& front, const RegistrationConfig&,
                                        const FrontSolution& s) {
  // The same definitions as a single registration's report.json (objective_values.h).
  const std::vector<ObjectiveValue> values = objective_values(s.log.end_terms);
  std::vector<double> out;
  for (const ObjectiveGroup g : front.objectives) {
    const auto it = std::find_if(values.begin(), values.end(),
                                 [&](const ObjectiveValue& v) { return v.group == g; });
    out.push_back(it == values.end() ? 0.0 : it->value);
  }
  return out;
}

ParetoFront compute_pareto_front(const RegistrationInputs& inputs, const RegistrationConfig& config,
                                 const FrontConfig& front, const LevelCallback& on_level) {
  validate(config);
  if (config.deformable.model == "none")
    throw usage_error("--pareto needs a deformable model (bspline or svf)");
  if (front.solutions < 2) throw usage_error("--pareto needs at least 2 solutions");
  if (config.regularity.bending_weight + config.regularity.elastic_weight <= 0)
    throw usage_error(
        "--pareto needs a deformation objective: set regularity.bending_weight or elastic_weight");
  const auto start = std::chrono::steady_clock::now();
  ParetoFront out;
  RegistrationResult& base = out.base;
  const ImageTermMask image_mask = image_term_mask(inputs, config.image);
  detail::record_image_mask(image_mask, base);
  base.affine = detail::align_affinely(inputs, config, image_mask, base, on_level);

  // The shared trunk: every deformable level but the finest, with the config's weights.
  const DeformableConfig& def = config.deformable;
  const detail::DeformableContext context =
      detail::make_deformable_context(inputs, config, image_mask);
  detail::record_guidance(context.organs, base);
  detail::record_rigidity(context, base);
  detail::LevelState trunk = detail::run_deformable_levels(context, def.levels - 1, base, on_level);
  detail::prepare_level(def.levels - 1, trunk);
  transform::BSplineGrid& bspline = trunk.bspline;
  std::vector<double>& theta = trunk.theta;
  base.grid = bspline;
  base.model = def.model;

  // The finest level, once per weight vector.
  detail::DeformableLevel finest =
      detail::build_deformable_level(context, def.levels - 1, bspline, base.affine);
  out.objectives.push_back(ObjectiveGroup::kImage);
  std::vector<ObjectiveGroup> varying;
  const bool guided = context.organs || landmark_term_weight(config.guidance, inputs) > 0;
  if (guided) {
    out.objectives.push_back(ObjectiveGroup::kGuidance);
    varying.push_back(ObjectiveGroup::kGuidance);
  }
  out.objectives.push_back(ObjectiveGroup::kDeformation);
  varying.push_back(ObjectiveGroup::kDeformation);
  Runner runner{config, front, finest, varying, on_level, def.levels - 1};

  std::vector<std::vector<double>> solved_t;
  const auto nearest = [&](const std::vector<double>& t) -> const FrontSolution& {
    std::size_t best = 0;
    for (std::size_t k = 1; k < solved_t.size(); ++k)
      if (squared_distance(solved_t[k], t) < squared_distance(solved_t[best], t)) best = k;
    return out.solutions[best];
  };
  const auto design = weight_design(front.solutions, static_cast<int>(varying.size()));
  // Solve outward from the centre so every warm start is a close neighbour.
  std::vector<std::size_t> order(design.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return squared_distance(design[a], std::vector<double>(design[a].size(), 0.0)) <
           squared_distance(design[b], std::vector<double>(design[b].size(), 0.0));
  });
  for (const std::size_t k : order) {
    const bool first = solved_t.empty();
    if (first) {
      out.solutions.push_back(
          runner.solve(design[k], nullptr, theta, detail::level_iterations(def, def.levels - 1)));
    } else {
      const FrontSolution& from = nearest(design[k]);
      out.solutions.push_back(runner.solve(design[k], &from, from.theta, front.iterations));
    }
    solved_t.push_back(design[k]);
  }

  // Fill gaps left by dominated runs: a new weight vector midway between the two non-dominated
  // neighbours (along the first objective) that are furthest apart in normalised objectives.
  const int extra_budget = static_cast<int>(std::ceil(front.extra_fraction * front.solutions));
  for (int extra = 0; extra < extra_budget; ++extra) {
    std::vector<optimize::pareto::Point> points;
    for (const auto& s : out.solutions) points.push_back(reported_objectives(out, config, s));
    const auto kept = optimize::pareto::non_dominated_indices(points);
    if (static_cast<int>(kept.size()) >= front.solutions || kept.size() < 2) break;
    const auto ideal = optimize::pareto::ideal_point(points),
               nadir = optimize::pareto::nadir_point(points);
    const auto normalised = optimize::pareto::normalise(points, ideal, nadir);
    std::vector<std::size_t> sorted = kept;
    std::sort(sorted.begin(), sorted.end(),
              [&](std::size_t a, std::size_t b) { return points[a][0] < points[b][0]; });
    std::size_t gap = 0;
    double widest = -1.0;
    for (std::size_t k = 0; k + 1 < sorted.size(); ++k) {
      const double d = squared_distance(normalised[sorted[k]], normalised[sorted[k + 1]]);
      if (d > widest) widest = d, gap = k;
    }
    std::vector<double> t = solved_t[sorted[gap]];
    for (std::size_t i = 0; i < t.size(); ++i) t[i] = 0.5 * (t[i] + solved_t[sorted[gap + 1]][i]);
    const FrontSolution& from = nearest(t);
    out.solutions.push_back(runner.solve(t, &from, from.theta, front.iterations));
    solved_t.push_back(t);
  }
  for (FrontSolution& s : out.solutions) {  // only the solves needed them
    s.curvature_s = {};
    s.curvature_y = {};
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

RegistrationResult solution_result(const ParetoFront& front, std::size_t index) {
  RegistrationResult r = front.base;
  const FrontSolution& s = front.solutions.at(index);
  std::copy(s.theta.begin(), s.theta.end(), r.grid->coefficients().begin());
  r.levels.push_back(s.log);
  return r;
}

}  // namespace modir::reg
