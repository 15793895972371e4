#include "modir/dataset/split.h"

#include <algorithm>
#include <numeric>
#include <random>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "modir/core/error.h"
#include "modir/io/csv_table.h"
#include "modir/io/output_file.h"

namespace modir::dataset {

namespace fs = std::filesystem;

namespace {

std::size_t root_of(std::vector<std::size_t>& parent, std::size_t i) {
  while (parent[i] != i) i = parent[i] = parent[parent[i]];
  return i;
}

// The path of `target` as seen from `folder`: relative when possible, else absolute.
std::string relative_to(const fs::path& target, const fs::path& folder) {
  const fs::path from = fs::absolute(folder).lexically_normal();
  const fs::path to = fs::absolute(target).lexically_normal();
  const fs::path relative = to.lexically_relative(from);
  return relative.empty() ? to.generic_string() : relative.generic_string();
}

}  // namespace

Split read_split(const fs::path& file) {
  const io::CsvTable table = io::read_csv_table(file);
  io::require_columns(table, {"patient_id", "scan_id"}, "the split file");
  Split split;
  split.file = file;
  split.column = table.column("fold") >= 0 ? "fold" : "set";
  if (table.column(split.column) < 0) {
    throw data_error(
        "the split file '{}' has neither a 'fold' column (0..K-1) nor a 'set' column "
        "(train/test)",
        file.string());
  }
  const auto patient = static_cast<std::size_t>(table.column("patient_id"));
  const auto scan = static_cast<std::size_t>(table.column("scan_id"));
  const auto part = static_cast<std::size_t>(table.column(split.column));
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    if (row[part].empty())
      throw data_error("the split file '{}' line {}: empty {}", file.string(),
                       table.line_numbers[r], split.column);
    if (split.column == "fold" && row[part].find_first_not_of("0123456789") != std::string::npos)
      throw data_error("the split file '{}' line {}: fold '{}' is not a whole number 0..K-1",
                       file.string(), table.line_numbers[r], row[part]);
    split.part[{row[patient], row[scan]}] = row[part];
  }
  return split;
}

std::vector<std::size_t> leakage_units(const Manifest& manifest,
                                       const std::vector<DuplicateGroup>& duplicates) {
  const std::size_t n = manifest.scans.size();
  std::vector<std::size_t> parent(n);
  std::iota(parent.begin(), parent.end(), std::size_t{0});
  std::map<std::string, std::size_t> first_of_patient;
  for (std::size_t i = 0; i < n; ++i) {
    const auto [it, inserted] = first_of_patient.emplace(manifest.scans[i].patient_id, i);
    if (!inserted) parent[root_of(parent, i)] = root_of(parent, it->second);
  }
  for (const DuplicateGroup& g : duplicates)
    for (const std::size_t s : g.scans) parent[root_of(parent, s)] = root_of(parent, g.scans[0]);
  // Number the units by first appearance.
  std::map<std::size_t, std::size_t> number;
  std::vector<std::size_t> units(n);
  for (std::size_t i = 0; i < n; ++i)
    units[i] = number.try_emplace(root_of(parent, i), number.size()).first->second;
  return units;
}

std::vector<int> make_folds(const Manifest& manifest, const std::vector<std::size_t>& units,
                            int folds, std::uint64_t seed) {
  const std::size_t unit_count =
      units.empty() ? 0 : *std::max_element(units.begin(), units.end()) + 1;
  if (folds < 2) throw usage_error("--folds must be at least 2, got {}", folds);
  if (static_cast<std::size_t>(folds) > unit_count) {
    throw usage_error(
        "--folds {} is more than the {} independent patient group(s) of '{}' (patients joined by "
        "duplicate scans count once)",
        folds, unit_count, manifest.file.string());
  }
  std::vector<std::int64_t> size(unit_count, 0);
  for (const std::size_t u : units) ++size[u];
  // A Fisher-Yates shuffle with our own index draws (std::shuffle differs between libraries).
  std::vector<std::size_t> order(unit_count);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::mt19937_64 rng(seed);
  for (std::size_t i = unit_count; i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return size[a] > size[b]; });
  std::vector<std::int64_t> load(static_cast<std::size_t>(folds), 0);
  std::vector<int> fold_of_unit(unit_count, 0);
  for (const std::size_t u : order) {
    const auto f =
        static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    fold_of_unit[u] = static_cast<int>(f);
    load[f] += size[u];
  }
  std::vector<int> result(units.size());
  for (std::size_t i = 0; i < units.size(); ++i) result[i] = fold_of_unit[units[i]];
  return result;
}

void write_split(const Manifest& manifest, const std::vector<int>& folds, const fs::path& file) {
  const fs::path folder = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  std::ostringstream out;
  out << "patient_id,scan_id,image,labels,fold\n";
  for (std::size_t i = 0; i < manifest.scans.size(); ++i) {
    const ScanEntry& e = manifest.scans[i];
    out << io::csv_field(e.patient_id) << ',' << io::csv_field(e.scan_id) << ','
        << io::csv_field(relative_to(e.image, folder)) << ','
        << io::csv_field(e.labels.empty() ? std::string() : relative_to(e.labels, folder)) << ','
        << folds[i] << '\n';
  }
  io::write_text_file(file, out.str());
}

std::vector<Finding> split_findings(const Manifest& manifest, const std::vector<std::size_t>& units,
                                    const Split& split) {
  std::vector<Finding> findings;
  std::map<std::size_t, std::vector<std::size_t>> members;
  std::set<std::pair<std::string, std::string>> listed;
  Finding absent{"split_coverage", Severity::kWarning, {}, {}, {split.file.string()}, {}};
  for (std::size_t i = 0; i < manifest.scans.size(); ++i) {
    const ScanEntry& e = manifest.scans[i];
    listed.insert({e.patient_id, e.scan_id});
    if (split.part.count({e.patient_id, e.scan_id})) {
      members[units[i]].push_back(i);
    } else {
      absent.patient_ids.push_back(e.patient_id);
      absent.scan_ids.push_back(e.scan_id);
    }
  }
  if (!absent.patient_ids.empty()) {
    absent.message = fmt::format("{} scan(s) of the manifest are in no {} of the split file",
                                 absent.patient_ids.size(), split.column);
    findings.push_back(absent);
  }
  Finding extra{"split_coverage", Severity::kWarning, {}, {}, {split.file.string()}, {}};
  for (const auto& [key, part] : split.part) {
    if (listed.count(key)) continue;
    extra.patient_ids.push_back(key.first);
    extra.scan_ids.push_back(key.second);
  }
  if (!extra.patient_ids.empty()) {
    extra.message = fmt::format("{} row(s) of the split file are not scans of the manifest",
                                extra.patient_ids.size());
    findings.push_back(extra);
  }
  for (const auto& [unit, scans] : members) {
    std::map<std::string, std::vector<std::string>> parts;  // part -> patient/scan
    Finding f{"split_leakage", Severity::kError, {}, {}, {}, {}};
    std::set<std::string> patients;
    for (const std::size_t i : scans) {
      const ScanEntry& e = manifest.scans[i];
      parts[split.part.at({e.patient_id, e.scan_id})].push_back(e.patient_id + "/" + e.scan_id);
      f.patient_ids.push_back(e.patient_id);
      f.scan_ids.push_back(e.scan_id);
      f.files.push_back(e.image_as_written);
      patients.insert(e.patient_id);
    }
    if (parts.size() < 2) continue;
    std::string where;
    for (const auto& [part, list] : parts) {
      std::string names;
      for (const std::string& n : list) names += (names.empty() ? "" : " ") + n;
      where += fmt::format("{}{} {}: {}", where.empty() ? "" : "; ", split.column, part, names);
    }
    f.message = fmt::format(
        "{} split across {} {}s ({})",
        patients.size() == 1 ? "one patient's scans are" : "one patient group (duplicate scans) is",
        parts.size(), split.column, where);
    findings.push_back(std::move(f));
  }
  return findings;
}

}  // namespace modir::dataset
