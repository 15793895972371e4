#include "modir/dataset/check.h"

#include <algorithm>
#include <set>

#include "modir/dataset/geometry_checks.h"
#include "modir/dataset/intensity_checks.h"
#include "modir/dataset/label_checks.h"

namespace modir::dataset {

namespace {

std::vector<Finding> unreadable_findings(const std::vector<ScanSummary>& scans) {
  std::vector<Finding> findings;
  for (const ScanSummary& s : scans) {
    const ScanEntry& e = s.entry;
    if (!s.image_error.empty())
      findings.push_back({"unreadable",
                          Severity::kError,
                          {e.patient_id},
                          {e.scan_id},
                          {e.image_as_written},
                          "the image cannot be used: " + s.image_error});
    if (!s.labels_error.empty())
      findings.push_back({"unreadable",
                          Severity::kError,
                          {e.patient_id},
                          {e.scan_id},
                          {e.labels_as_written},
                          "the label map cannot be used: " + s.labels_error});
  }
  return findings;
}

}  // namespace

std::size_t CheckResult::count(Severity severity) const {
  return static_cast<std::size_t>(std::count_if(
      findings.begin(), findings.end(), [&](const Finding& f) { return f.severity == severity; }));
}

CheckResult summarise_dataset(const Manifest& manifest, Progress& progress) {
  CheckResult result;
  result.manifest = manifest;
  progress.begin_phase("reading scans", static_cast<std::int64_t>(manifest.scans.size()));
  for (const ScanEntry& entry : manifest.scans) {
    result.scans.push_back(summarise_scan(entry));
    progress.advance();
  }
  progress.end_phase();
  progress.begin_phase("comparing scans", 1);
  result.duplicates = find_duplicates(result.scans);
  result.units = leakage_units(manifest, result.duplicates);
  progress.end_phase();
  return result;
}

CheckResult check_dataset(const Manifest& manifest, const std::optional<Split>& split,
                          Progress& progress) {
  CheckResult result = summarise_dataset(manifest, progress);
  auto add = [&](std::vector<Finding> more) {
    for (Finding& f : more) result.findings.push_back(std::move(f));
  };
  add(unreadable_findings(result.scans));
  add(duplicate_findings(result.scans, result.duplicates));
  add(label_set_findings(result.scans));
  add(geometry_findings(result.scans));
  add(intensity_findings(result.scans));
  add(metal_findings(result.scans));
  if (split) add(split_findings(manifest, result.units, *split));
  sort_findings(result.findings);
  return result;
}

nlohmann::json to_json(const CheckResult& result) {
  std::set<std::string> patients;
  for (const ScanEntry& e : result.manifest.scans) patients.insert(e.patient_id);
  nlohmann::json findings = nlohmann::json::array();
  for (const Finding& f : result.findings) findings.push_back(to_json(f));
  nlohmann::json groups = nlohmann::json::array();
  for (const DuplicateGroup& g : result.duplicates) {
    nlohmann::json members = nlohmann::json::array();
    for (const std::size_t s : g.scans)
      members.push_back({{"patient_id", result.manifest.scans[s].patient_id},
                         {"scan_id", result.manifest.scans[s].scan_id}});
    groups.push_back({{"scans", members},
                      {"exact", g.exact},
                      {"min_ncc", g.min_ncc},
                      {"min_detail_ncc", g.min_detail_ncc}});
  }
  return {{"manifest", result.manifest.file.string()},
          {"scans", result.manifest.scans.size()},
          {"patients", patients.size()},
          {"counts",
           {{"error", result.count(Severity::kError)},
            {"warning", result.count(Severity::kWarning)},
            {"info", result.count(Severity::kInfo)}}},
          {"duplicate_groups", groups},
          {"findings", findings}};
}

}  // namespace modir::dataset
