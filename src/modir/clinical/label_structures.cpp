#include "modir/clinical/label_structures.h"

#include <map>
#include <set>

#include <fmt/format.h>

#include "modir/core/error.h"
#include "modir/core/log.h"
#include "modir/filter/resample.h"
#include "modir/io/organ_names.h"
#include "modir/io/rtstruct_write.h"

namespace modir::clinical {

std::array<int, 3> organ_colour(const std::string& name) {
  static const std::map<std::string, std::array<int, 3>> kColours = {
      {"body", {0, 255, 0}},        {"bone", {255, 255, 200}},   {"bladder", {255, 255, 0}},
      {"rectum", {150, 75, 0}},     {"bowel", {255, 160, 120}},  {"uterus_prostate", {0, 128, 255}},
      {"femoral_heads", {255, 0, 255}}};
  const io::OrganNameMatch m = io::match_organ_name(name, io::default_organ_names());
  if (m.organ_class) {
    const auto c = kColours.find(*m.organ_class);
    if (c != kColours.end()) return c->second;
  }
  return {255, 0, 0};
}

std::vector<io::RtStructure> structures_from_labels(const LabelMap& labels,
                                                    const io::LabelNames& names,
                                                    const Geometry& series_grid,
                                                    const std::string& source,
                                                    const std::string& series, Progress& progress) {
  std::set<int> values;
  for (const std::uint16_t v : labels.buffer())
    if (v != 0) values.insert(v);
  if (values.empty()) throw data_error("'{}' holds no labels (every voxel is 0)", source);
  const bool same_grid = labels.geometry().same_grid(series_grid, 1e-3);
  if (!same_grid) {
    warn("'{}' is not on the grid of {}; each label is resampled onto it (linear, contoured at "
         "0.5)",
         source, series);
  }
  progress.begin_phase("contouring", static_cast<std::int64_t>(values.size()));
  std::vector<io::RtStructure> structures;
  for (const int value : values) {
    Image<float> mask(labels.geometry(), 0.0f);
    for (std::int64_t v = 0; v < labels.voxel_count(); ++v)
      mask.data()[v] = labels.data()[v] == value ? 1.0f : 0.0f;
    if (!same_grid) mask = filter::resample(mask, series_grid, filter::Interpolation::kLinear);
    io::RtStructure s;
    const auto named = names.find(static_cast<std::uint16_t>(value));
    const bool has_name = named != names.end();
    s.name = has_name ? named->second.name : fmt::format("label_{}", value);
    const io::OrganNameMatch organ = io::match_organ_name(s.name, io::default_organ_names());
    s.roi_number = has_name && named->second.roi_number && *named->second.roi_number > 0
                       ? *named->second.roi_number
                       : value;
    s.color = has_name && named->second.color ? *named->second.color : organ_colour(s.name);
    s.interpreted_type = has_name && !named->second.interpreted_type.empty()
                             ? named->second.interpreted_type
                             : (organ.organ_class == "body" ? "EXTERNAL" : "ORGAN");
    s.contours = io::mask_contours(mask);
    if (s.contours.empty()) warn("label {} ('{}') has no voxels on the series' grid", value, s.name);
    structures.push_back(std::move(s));
    progress.advance();
  }
  progress.end_phase();
  return structures;
}

}  // namespace modir::clinical
