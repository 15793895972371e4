#include "modir/dataset/finding.h"

#include <algorithm>
#include <tuple>

namespace modir::dataset {

std::string severity_name(Severity severity) {
  switch (severity) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kInfo: return "info";
  }
  return "info";
}

nlohmann::json to_json(const Finding& finding) {
  return {{"kind", finding.kind},
          {"severity", severity_name(finding.severity)},
          {"patient_ids", finding.patient_ids},
          {"scan_ids", finding.scan_ids},
          {"files", finding.files},
          {"message", finding.message}};
}

void sort_findings(std::vector<Finding>& findings) {
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::tuple(-static_cast<int>(a.severity), a.kind, a.patient_ids, a.scan_ids) <
           std::tuple(-static_cast<int>(b.severity), b.kind, b.patient_ids, b.scan_ids);
  });
}

}  // namespace modir::dataset
