#include "modir/review/manifest.h"

#include <fstream>

namespace modir::review {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json front_summary(const ReviewFolder& folder) {
  const json& front = *folder.front;
  json solutions = json::array();
  for (const json& s : front.value("solutions", json::array())) {
    json entry = {{"index", s.value("index", 0)},
                  {"objectives", s.value("objectives", json::array())},
                  {"folded_fraction", s.value("folded_fraction", 0.0)},
                  {"jacobian_min", s.value("jacobian_min", 0.0)},
                  {"dominated", s.value("dominated", false)}};
    for (const char* optional : {"organ_distance_mm", "landmark_rms_mm", "truth", "weights"})
      if (s.contains(optional)) entry[optional] = s.at(optional);
    solutions.push_back(std::move(entry));
  }
  json choice = nullptr;
  std::ifstream stream(choice_file(folder));
  if (stream) {
    const json recorded = json::parse(stream, nullptr, false);
    if (!recorded.is_discarded() && recorded.contains("index")) choice = recorded.at("index");
  }
  return {{"objectives", front.value("objectives", json::array())},
          {"descriptions", front.value("objective_descriptions", json::object())},
          {"knee", front.value("knee", 0)},
          {"solutions", solutions},
          {"choice", choice}};
}

}  // namespace

json folder_manifest(const ReviewFolder& folder, VolumeSource& volumes) {
  json volume_table = json::object();
  for (const char* id : kVolumeIds) {
    const auto why = volumes.unavailable_reason(id);
    volume_table[id] = why ? json{{"available", false}, {"why", *why}} : json{{"available", true}};
  }
  // Each label map's values, named and coloured by its own names file: a propagation's
  // structures and the daily organs are numbered independently.
  json label_sets = json::object();
  const io::LabelNames no_names;
  for (const char* id : {"fixed_labels", "moving_labels", "warped_labels"}) {
    const auto found = folder.label_names.find(id);
    const io::LabelNames& names = found != folder.label_names.end() ? found->second : no_names;
    json list = json::array();
    for (const std::uint16_t value : volumes.label_values(id)) {
      const auto it = names.find(value);
      const bool named = it != names.end() && !it->second.name.empty();
      list.push_back({{"value", value},
                      {"name", named ? it->second.name : "label " + std::to_string(value)},
                      {"colour", label_colour(names, value)}});
    }
    if (!list.empty()) label_sets[id] = std::move(list);
  }
  const char* kind = folder.kind == FolderKind::kFront         ? "front"
                     : folder.kind == FolderKind::kPropagation ? "propagation"
                                                               : "registration";
  json out = {{"kind", kind},
              {"volumes", volume_table},
              {"label_sets", label_sets},
              {"checkerboard_mm", kCheckerboardMm}};
  if (folder.report.contains("jacobian")) out["jacobian"] = folder.report.at("jacobian");
  const json markers = folder.report.value("fiducial_markers", json());
  if (markers.is_object()) out["fiducial_markers"] = markers;
  if (folder.front) out["front"] = front_summary(folder);
  return out;
}

}  // namespace modir::review
