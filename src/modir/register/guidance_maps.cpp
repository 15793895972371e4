#include "modir/register/guidance_maps.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "modir/core/error.h"
#include "modir/core/parallel.h"
#include "modir/filter/connected_components.h"
#include "modir/filter/distance_transform.h"
#include "modir/filter/index_box.h"
#include "modir/filter/resample.h"
#include "modir/register/pyramid.h"

namespace modir::reg {

namespace {

std::set<std::uint16_t> labels_in(const std::map<std::uint16_t, filter::IndexBox>& boxes) {
  std::set<std::uint16_t> out;
  for (const auto& [label, box] : boxes)
    if (label != 0) out.insert(label);
  return out;
}

// Components are found within the label's own box: the same components, without a pass over
// the whole field of view per organ and scan.
std::int64_t remove_islands(LabelMap& labels, std::uint16_t label, const filter::IndexBox& box,
                            double min_fraction) {
  LabelMap part = filter::crop(labels, box);
  const std::int64_t removed = filter::remove_small_components(part, label, min_fraction, 0);
  if (removed > 0) filter::paste(part, box, labels);
  return removed;
}

// The fixed map is read only within the band around the organ (LabelDistanceTerm), on each
// level's grid by linear interpolation, which reads voxels up to a voxel diagonal further out.
// So it is computed exactly on the organ's box grown by the band and two voxel diagonals, and
// holds that margin (a lower bound of the true distance, so never in the band) elsewhere. On
// the box, the surface and the field of view's cut are exactly those of the whole grid: the box
// holds every voxel of the organ, and its outer layer meets the organ only where the grid's does.
// Small organs (bladder, rectum, prostate) thus cost a fraction of a whole-grid transform.
Image<float> fixed_distance_map(const LabelMap& labels, std::uint16_t label,
                                const filter::IndexBox& organ_box, double band_mm, bool& cut_off) {
  const Geometry& g = labels.geometry();
  const double diagonal = g.spacing.norm();
  const double margin = band_mm + 2.0 * diagonal;
  const filter::IndexBox box = filter::grown(organ_box, g, margin);
  const LabelMap part = box.covers(g.size) ? LabelMap() : filter::crop(labels, box);
  const LabelMap& on = box.covers(g.size) ? labels : part;
  Image<float> distance = filter::signed_distance(on, label);
  const Image<float> cut = filter::distance_to_cut(on, label);
  cut_off = cut.voxel_count() > 0;
  objective::mark_cut_off(distance, cut);
  if (box.covers(g.size)) return distance;
  Image<float> whole(g, static_cast<float>(margin));
  filter::paste(distance, box, whole);
  return whole;
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
  const auto fixed_boxes = filter::label_boxes(f), moving_boxes = filter::label_boxes(m);
  const std::set<std::uint16_t> in_fixed = labels_in(fixed_boxes),
                                in_moving = labels_in(moving_boxes);
  const double fixed_ml = f.geometry().voxel_ml();
  const double moving_ml = m.geometry().voxel_ml();
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
      organ.fixed_islands_ml = fixed_ml * double(remove_islands(f, label, fixed_boxes.at(label),
                                                                config.min_component_fraction));
      organ.moving_islands_ml = moving_ml * double(remove_islands(m, label, moving_boxes.at(label),
                                                                  config.min_component_fraction));
    }
    organs->push_back(std::move(organ));
  }
  // One organ per thread: the maps' own loops are partly serial (sign, cut, minimum of the three
  // face distances), and organs are independent. Loops nested inside run on their caller's thread.
  // The moving map is whole: the term samples it wherever x + u(x) lands.
  parallel_for(static_cast<std::int64_t>(organs->size()), [&](std::int64_t k) {
    objective::OrganDistanceMaps& organ = (*organs)[static_cast<std::size_t>(k)];
    organ.fixed = fixed_distance_map(f, organ.label, fixed_boxes.at(organ.label), config.band_mm,
                                     organ.fixed_cut_off);
    organ.moving = filter::signed_distance(m, organ.label);
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
