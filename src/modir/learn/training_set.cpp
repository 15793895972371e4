#include "modir/learn/training_set.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "modir/core/error.h"

namespace modir::learn {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"') {
      if (quoted && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (c == ',' && !quoted) {
      fields.push_back(field);
      field.clear();
    } else if (c != '\r') {
      field += c;
    }
  }
  fields.push_back(field);
  return fields;
}

}  // namespace

std::vector<TrainingCase> read_training_cases(const fs::path& csv) {
  std::ifstream in(csv);
  if (!in) throw data_error("cannot read the manifest '{}'", csv.string());
  std::string line;
  if (!std::getline(in, line)) throw data_error("the manifest '{}' is empty", csv.string());
  const std::vector<std::string> header = split_csv_line(line);
  auto column = [&](const std::string& name, bool required) -> int {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) {
      if (required)
        throw data_error(
            "the manifest '{}' has no '{}' column (expected patient_id,scan_id,"
            "image,labels[,fold])",
            csv.string(), name);
      return -1;
    }
    return static_cast<int>(it - header.begin());
  };
  const int patient = column("patient_id", true), scan = column("scan_id", true),
            image = column("image", true), labels = column("labels", true),
            fold = column("fold", false);
  const fs::path folder = csv.parent_path();
  std::vector<TrainingCase> cases;
  int row = 1;
  while (std::getline(in, line)) {
    ++row;
    if (line.empty() || line == "\r") continue;
    const std::vector<std::string> f = split_csv_line(line);
    if (f.size() < header.size())
      throw data_error("'{}' line {}: {} fields, the header has {}", csv.string(), row, f.size(),
                       header.size());
    TrainingCase c;
    c.patient_id = f[static_cast<std::size_t>(patient)];
    c.scan_id = f[static_cast<std::size_t>(scan)];
    c.image = folder / f[static_cast<std::size_t>(image)];
    c.labels = folder / f[static_cast<std::size_t>(labels)];
    if (fold >= 0) {
      try {
        c.fold = std::stoi(f[static_cast<std::size_t>(fold)]);
      } catch (const std::exception&) {
        throw data_error("'{}' line {}: fold '{}' is not an integer", csv.string(), row,
                         f[static_cast<std::size_t>(fold)]);
      }
    }
    cases.push_back(std::move(c));
  }
  if (cases.empty()) throw data_error("the manifest '{}' lists no scans", csv.string());
  return cases;
}

CaseSplit split_cases(const std::vector<TrainingCase>& cases, std::optional<int> validation_fold,
                      double validation_fraction, std::uint64_t seed) {
  CaseSplit split;
  if (validation_fold) {
    for (const TrainingCase& c : cases) {
      if (!c.fold)
        throw usage_error(
            "--validation-fold needs a split file with a fold column (see 'modir "
            "dataset split')");
      (*c.fold == *validation_fold ? split.validation : split.training).push_back(c);
    }
    if (split.validation.empty())
      throw usage_error("--validation-fold {}: no row of the split file is in that fold",
                        *validation_fold);
  } else {
    std::vector<std::string> patients;
    for (const TrainingCase& c : cases)
      if (std::find(patients.begin(), patients.end(), c.patient_id) == patients.end())
        patients.push_back(c.patient_id);
    std::sort(patients.begin(), patients.end());
    std::mt19937_64 rng(seed);
    std::shuffle(patients.begin(), patients.end(), rng);
    const auto held = static_cast<std::size_t>(
        std::clamp<double>(std::round(validation_fraction * double(patients.size())), 1.0,
                           double(patients.size()) - 1.0));
    const std::set<std::string> validation(patients.begin(),
                                           patients.begin() + static_cast<std::ptrdiff_t>(held));
    for (const TrainingCase& c : cases)
      (validation.count(c.patient_id) ? split.validation : split.training).push_back(c);
  }
  if (split.training.empty()) throw usage_error("no scans are left for training");
  return split;
}

std::vector<LabelClass> label_classes(const std::vector<std::uint16_t>& ids,
                                      const fs::path& manifest, const std::string& names) {
  std::map<std::uint16_t, std::string> known;
  if (!names.empty()) {
    std::stringstream list(names);
    std::string item;
    std::uint16_t index = 0;
    while (std::getline(list, item, ',')) {
      const auto colon = item.find(':');
      if (colon == std::string::npos) {
        known[index++] = item;
      } else {
        known[static_cast<std::uint16_t>(std::stoi(item.substr(0, colon)))] =
            item.substr(colon + 1);
      }
    }
  } else {
    for (const char* file : {"dataset.json", "truth.json"}) {
      std::ifstream in(manifest.parent_path() / file);
      if (!in) continue;
      const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
      if (j.is_discarded() || !j.contains("labels") || !j["labels"].is_object()) continue;
      for (const auto& [key, value] : j["labels"].items()) {
        if (value.is_string())
          known[static_cast<std::uint16_t>(std::stoi(key))] = value.get<std::string>();
      }
      break;
    }
  }
  std::vector<LabelClass> classes{{0, known.count(0) ? known[0] : "background"}};
  for (const std::uint16_t id : ids) {
    if (id == 0) continue;
    classes.push_back({id, known.count(id) ? known[id] : "label_" + std::to_string(id)});
  }
  return classes;
}

}  // namespace modir::learn
