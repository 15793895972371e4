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

// The recorded input, where it is now: as recorded, or beside the result folder.
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
    folder.unavailable_inputs[name] = "not found where the run recorded it";
    return;
  }
  if (record.contains("sha256") && record.at("sha256").is_string() &&
      sha256_of_path(found) != record.at("sha256").get<std::string>()) {
    folder.unavailable_inputs[name] = "changed since the run (sha256 differs)";
    return;
  }
  folder.inputs[name] = found;
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
    throw data_error("{} is not a folder: give the --out folder of 'modir register'", dir.string());
  ReviewFolder folder;
  folder.dir = fs::canonical(dir);
  const fs::path report = folder.dir / "report.json";
  if (!fs::exists(report, ec))
    throw data_error("{} has no report.json: it is not a result folder of 'modir register'",
                     dir.string());
  folder.report = read_json_file(report);
  const std::string command = folder.report.value("command", std::string());
  if (command != "register" && command != "register --pareto")
    throw data_error(
        "{} holds the result of 'modir {}'; modir review reads the folders of 'modir register' "
        "(with or without --pareto)",
        dir.string(), command.empty() ? "?" : command);
  if (fs::exists(folder.dir / "front.json", ec)) {
    folder.kind = FolderKind::kFront;
    folder.front = read_json_file(folder.dir / "front.json");
  }
  if (folder.report.contains("inputs") && folder.report.at("inputs").is_object()) {
    for (const auto& [name, record] : folder.report.at("inputs").items()) {
      if (name == "fixed" || name == "moving" || name == "fixed_labels" || name == "moving_labels")
        locate_input(folder, name, record);
    }
  }
  for (const char* labels : {"fixed_labels", "moving_labels"}) {
    const auto it = folder.inputs.find(labels);
    if (it == folder.inputs.end()) continue;
    if (auto names = io::label_names_beside(it->second)) {
      folder.label_names = names->names;
      break;
    }
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
