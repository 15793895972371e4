#include "modir/register/guidance_maps.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "modir/core/error.h"
#include "modir/core/parallel.h"
#include "modir/filter/connected_components.h"
#include "modir/filter/distance_transform.h"
#include "modir/filter/resample.h"
#include "modir/register/pyramid.h"

namespace modir::reg {

namespace {

std::set<std::uint16_t> labels_in(const LabelMap& labels) {
  std::vector<char> seen(65536, 0);
  for (const std::uint16_t v : labels.buffer()) seen[v] = 1;
  std::set<std::uint16_t> out;
  for (int v = 1; v < 65536; ++v)
    if (seen[static_cast<std::size_t>(v)]) out.insert(static_cast<std::uint16_t>(v));
  return out;
}

LabelMap at_spacing(const LabelMap& labels, double spacing_mm) {
  const Vec3d spacing = level_spacing(labels.geometry(), spacing_mm);
  if (spacing == labels.geometry().spacing) return labels;
  return filter::resample(labels, filter::geometry_with_spacing(labels.geometry(), spacing),
                          filter::Interpolation::kNearest);
}

}  // namespace

std::shared_ptr<const std::vector<objective::OrganDistanceMaps>> organ_distance_maps(
    const LabelMap& fixed, const LabelMap& moving, const GuidanceConfig& config,
    double spacing_mm) {
  LabelMap f = at_spacing(fixed, spacing_mm);
  LabelMap m = at_spacing(moving, spacing_mm);
  const std::set<std::uint16_t> in_fixed = labels_in(f), in_moving = labels_in(m);
  const auto voxel_ml = [](const Geometry& g) {
    return g.spacing.x * g.spacing.y * g.spacing.z / 1000.0;
  };
  const double fixed_ml = voxel_ml(f.geometry());
  const double moving_ml = voxel_ml(m.geometry());
  auto organs = std::make_shared<std::vector<objective::OrganDistanceMaps>>();
  for (const std::uint16_t label : in_fixed) {
    if (!in_moving.count(label)) continue;
    if (std::find(config.ignore_labels.begin(), config.ignore_labels.end(), int(label)) !=
        config.ignore_labels.end())
      continue;
    const auto w = config.organ_weights.find(label);
    const double weight = w == config.organ_weights.end() ? 1.0 : w->second;
    if (weight <= 0.0) continue;
    objective::OrganDistanceMaps organ;
    organ.label = label;
    organ.name = std::to_string(label);
    organ.weight = weight;
    // Islands go first, for all organs: they edit the label maps the distance maps then read.
    if (config.min_component_fraction > 0) {
      organ.fixed_islands_ml = fixed_ml * double(filter::remove_small_components(
                                              f, label, config.min_component_fraction, 0));
      organ.moving_islands_ml = moving_ml * double(filter::remove_small_components(
                                                m, label, config.min_component_fraction, 0));
    }
    organs->push_back(std::move(organ));
  }
  // One organ per thread: the maps' own loops are partly serial (sign, cut, minimum of the three
  // face distances), and organs are independent. Loops nested inside run on their caller's thread.
  parallel_for(static_cast<std::int64_t>(organs->size()), [&](std::int64_t k) {
    objective::OrganDistanceMaps& organ = (*organs)[static_cast<std::size_t>(k)];
    organ.fixed = filter::signed_distance(f, organ.label);
    organ.moving = filter::signed_distance(m, organ.label);
    const Image<float> fixed_cut = filter::distance_to_cut(f, organ.label);
    organ.fixed_cut_off = fixed_cut.voxel_count() > 0;
    objective::mark_cut_off(organ.fixed, fixed_cut);
    organ.moving_cut = filter::distance_to_cut(m, organ.label);
  });
  if (organs->empty()) {
    throw Error(
        ErrorKind::kData,
        fmt::format("label guidance: the fixed labels ({}) and moving labels ({}) share no organ",
                    fmt::join(in_fixed, ", "), fmt::join(in_moving, ", ")));
  }
  return organs;
}

}  // namespace modir::reg
