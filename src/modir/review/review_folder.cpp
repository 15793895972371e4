#include "modir/review/review_folder.h"

#include <fstream>

#include "modir/core/error.h"
#include "modir/core/sha256.h"

namespace modir::review {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json read_json_file(const fs::path& path) {
  std::ifstream stream(path);
  if (!stream) throw data_error("{} cannot be opened", path.string());
  json j = json::parse(stream, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    throw data_error("{} is not a JSON object", path.string());
  return j;
}

// The recorded input, where it is now: as recorded, or beside the result folder. A record
// without a sha256 (an older propagate report) is taken as found.
void locate_input(ReviewFolder& folder, const std::string& name, const json& record) {
  if (!record.is_object() || !record.contains("path") || !record.at("path").is_string()) return;
  const fs::path recorded = record.at("path").get<std::string>();
  std::error_code ec;
  fs::path found;
  for (const fs::path& candidate : {recorded, folder.dir.parent_path() / recorded}) {
    if (fs::exists(candidate, ec)) {
      found = candidate;
      break;
    }
    if (recorded.is_absolute()) break;
  }
  if (found.empty()) {
    folder.unavailable[name] = "not found where the run recorded it";
    return;
  }
  if (record.contains("sha256") && record.at("sha256").is_string() &&
      sha256_of_path(found) != record.at("sha256").get<std::string>()) {
    folder.unavailable[name] = "changed since the run (sha256 differs)";
    return;
  }
  folder.sources[name] = found;
}

void add_file(ReviewFolder& folder, const std::string& id, const fs::path& file) {
  std::error_code ec;
  if (fs::exists(file, ec)) folder.sources[id] = file;
}

// The names a segmentation model gives its classes (its plan.json), for the daily organs.
io::LabelNames model_class_names(const json& report) {
  io::LabelNames names;
  if (!report.contains("model") || !report.at("model").is_string()) return names;
  std::ifstream stream(fs::path(report.at("model").get<std::string>()) / "plan.json");
  const json plan = json::parse(stream, nullptr, false);
  if (plan.is_discarded() || !plan.contains("classes") || !plan.at("classes").is_array())
    return names;
  for (const json& c : plan.at("classes")) {
    const int id = c.value("id", 0);
    if (id > 0 && id < 65536) names[static_cast<std::uint16_t>(id)].name = c.value("name", "");
  }
  return names;
}

void read_register_folder(ReviewFolder& folder) {
  std::error_code ec;
  if (fs::exists(folder.dir / "front.json", ec)) {
    folder.kind = FolderKind::kFront;
    folder.front = read_json_file(folder.dir / "front.json");
    folder.front_dir = folder.dir;
  }
  if (folder.report.contains("inputs") && folder.report.at("inputs").is_object()) {
    for (const auto& [name, record] : folder.report.at("inputs").items()) {
      if (name == "fixed" || name == "moving" || name == "fixed_labels" || name == "moving_labels")
        locate_input(folder, name, record);
    }
  }
  for (const char* id : {"warped", "warped_labels", "jacobian", "displacement"})
    add_file(folder, id, folder.dir / (std::string(id) + ".nii.gz"));
  // The warped labels carry the moving labels' values; both maps are named alike when only one
  // of them has a names file (register pairs them by name).
  for (const char* labels : {"fixed_labels", "moving_labels"}) {
    const auto it = folder.sources.find(labels);
    if (it == folder.sources.end()) continue;
    if (auto names = io::label_names_beside(it->second)) folder.label_names[labels] = names->names;
  }
  for (const auto& [from, to] : {std::pair{"fixed_labels", "moving_labels"}, {"moving_labels", "fixed_labels"}})
    if (!folder.label_names.count(to) && folder.label_names.count(from))
      folder.label_names[to] = folder.label_names[from];
  if (folder.label_names.count("moving_labels"))
    folder.label_names["warped_labels"] = folder.label_names["moving_labels"];
}

// A propagation: the daily scan was registered to the planning scan (fixed daily, moving
// planning); the folder holds the displacement, the propagated structures (labels.nii.gz, named
// by labels.json) and the daily organs the model found (the guidance on the daily scan).
void read_propagation_folder(ReviewFolder& folder) {
  folder.kind = FolderKind::kPropagation;
  std::error_code ec;
  if (fs::exists(folder.dir / "front" / "front.json", ec)) {
    folder.front_dir = folder.dir / "front";
    folder.front = read_json_file(folder.front_dir / "front.json");
  }
  const json& r = folder.report;
  const json inputs = r.value("inputs", json::object());
  for (const auto& [id, key] : {std::pair{"fixed", "daily"}, {"moving", "planning"}}) {
    if (inputs.contains(key)) {
      locate_input(folder, id, inputs.at(key));
    } else if (r.contains(key) && r.at(key).is_string()) {
      locate_input(folder, id, json{{"path", r.at(key)}});
    }
  }
  add_file(folder, "fixed_labels", folder.dir / "daily_organs.nii.gz");
  add_file(folder, "warped_labels", folder.dir / "labels.nii.gz");
  add_file(folder, "displacement", folder.dir / "displacement.nii.gz");
  if (auto names = io::label_names_beside(folder.dir / "labels.nii.gz"))
    folder.label_names["warped_labels"] = names->names;
  folder.label_names["fixed_labels"] = model_class_names(r);
  folder.unavailable["moving_labels"] =
      "a propagation's planning structures are contours; the warped ones are shown";
}

constexpr std::array<std::array<int, 3>, 12> kPalette = {{
    {160, 160, 160},  // 1: modir's body label, kept quiet
    {255, 220, 0},
    {200, 90, 40},
    {230, 60, 160},
    {240, 240, 220},
    {250, 250, 250},
    {60, 200, 255},
    {90, 220, 90},
    {255, 120, 60},
    {170, 110, 255},
    {0, 170, 150},
    {255, 80, 80},
}};

}  // namespace

ReviewFolder open_review_folder(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw data_error("{} is not a folder: give the --out folder of 'modir register' or 'modir "
                     "propagate'",
                     dir.string());
  ReviewFolder folder;
  folder.dir = fs::canonical(dir);
  const fs::path report = folder.dir / "report.json";
  if (!fs::exists(report, ec))
    throw data_error(
        "{} has no report.json: it is not a result folder of 'modir register' or 'modir "
        "propagate'",
        dir.string());
  folder.report = read_json_file(report);
  const std::string command = folder.report.value("command", std::string());
  if (command == "register" || command == "register --pareto") {
    read_register_folder(folder);
  } else if (command == "propagate") {
    read_propagation_folder(folder);
  } else {
    throw data_error(
        "{} holds the result of 'modir {}'; modir review reads the folders of 'modir register' "
        "(with or without --pareto) and 'modir propagate'",
        dir.string(), command.empty() ? "?" : command);
  }
  return folder;
}

std::array<int, 3> label_colour(const io::LabelNames& names, std::uint16_t value) {
  const auto it = names.find(value);
  if (it != names.end() && it->second.color) return *it->second.color;
  if (value == 0) return {0, 0, 0};
  return kPalette[(value - 1) % kPalette.size()];
}

fs::path choice_file(const ReviewFolder& folder) {
  return folder.dir / "choice.json";
}

}  // namespace modir::review
