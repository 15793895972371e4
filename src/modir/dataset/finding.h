#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace modir::dataset {

/// How bad a finding is. Errors make results untrustworthy (leakage, unusable files); warnings
/// are cases a model or an evaluation should not silently take as they are; info is context.
enum class Severity { kInfo, kWarning, kError };

std::string severity_name(Severity severity);

/// One problem of a dataset: what kind (docs/dataset.md lists the kinds), how bad, the patients,
/// scans and files concerned, and a one-line message saying what was measured.
struct Finding {
  std::string kind;
  Severity severity = Severity::kWarning;
  std::vector<std::string> patient_ids;
  std::vector<std::string> scan_ids;  ///< parallel to patient_ids where scans are concerned
  std::vector<std::string> files;
  std::string message;
};

nlohmann::json to_json(const Finding& finding);

/// Findings sorted for display: errors first, then by kind, patient and scan.
void sort_findings(std::vector<Finding>& findings);

}  // namespace modir::dataset
