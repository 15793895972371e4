#include "modir/learn/training_set.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "modir/core/error.h"
#include "modir/io/csv_table.h"

namespace modir::learn {

namespace fs = std::filesystem;

std::vector<TrainingCase> read_training_cases(const fs::path& csv) {
  const io::CsvTable table = io::read_csv_table(csv);
  auto column = [&](const std::string& name, bool required) -> int {
    const int c = table.column(name);
    if (c < 0 && required)
      throw data_error(
          "the manifest '{}' has no '{}' column (expected patient_id,scan_id,"
          "image,labels[,fold])",
          csv.string(), name);
    return c;
  };
  const int patient = column("patient_id", true), scan = column("scan_id", true),
            image = column("image", true), labels = column("labels", true),
            fold = column("fold", false);
  const fs::path folder = csv.parent_path();
  std::vector<TrainingCase> cases;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const std::vector<std::string>& f = table.rows[r];
    const auto field = [&](int c) { return f[static_cast<std::size_t>(c)]; };
    TrainingCase c;
    c.patient_id = field(patient);
    c.scan_id = field(scan);
    c.image = folder / field(image);
    c.labels = folder / field(labels);
    if (fold >= 0) {
      try {
        c.fold = std::stoi(field(fold));
      } catch (const std::exception&) {
        throw data_error("'{}' line {}: fold '{}' is not an integer", csv.string(),
                         table.line_numbers[r], field(fold));
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
    if (patients.size() < 2)
      throw usage_error(
          "the manifest lists one patient only; training needs another patient to validate "
          "on (or a split file and --validation-fold)");
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

CaseSplit training_split(const fs::path& manifest, std::optional<int> validation_fold,
                         double validation_fraction, std::uint64_t seed) {
  CaseSplit split =
      split_cases(read_training_cases(manifest), validation_fold, validation_fraction, seed);
  if (split.validation.empty()) throw usage_error("no scans are left for validation");
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
