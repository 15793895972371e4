#include "modir/dataset/label_checks.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

namespace modir::dataset {

namespace {

using LabelSet = std::set<std::uint16_t>;

std::string list(const LabelSet& labels) {
  std::string out;
  for (const std::uint16_t l : labels) out += fmt::format("{}{}", out.empty() ? "" : ", ", l);
  return out;
}

double median_of(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

Finding scan_finding(const ScanSummary& s, const std::string& kind, Severity severity,
                     std::string message) {
  return {kind,
          severity,
          {s.entry.patient_id},
          {s.entry.scan_id},
          {s.entry.labels_as_written},
          std::move(message)};
}

// The fraction of the structure's usual superior-inferior extent that the scan covers: from the
// patient's other scans where it is labelled, else from the whole cohort.
double coverage_of_usual_extent(const std::vector<ScanSummary>& scans, std::size_t index,
                                std::uint16_t label) {
  const ScanSummary& s = scans[index];
  std::vector<double> lo, hi, lo_all, hi_all;
  for (std::size_t i = 0; i < scans.size(); ++i) {
    if (i == index || !scans[i].labels_usable()) continue;
    const auto it = scans[i].labels.find(label);
    if (it == scans[i].labels.end()) continue;
    lo_all.push_back(it->second.z_min_mm);
    hi_all.push_back(it->second.z_max_mm);
    if (scans[i].entry.patient_id == s.entry.patient_id) {
      lo.push_back(it->second.z_min_mm);
      hi.push_back(it->second.z_max_mm);
    }
  }
  if (lo.empty()) {
    lo = lo_all;
    hi = hi_all;
  }
  if (lo.empty()) return 1.0;
  const double a = median_of(lo), b = median_of(hi);
  const double covered = std::min(b, s.world_max.z) - std::max(a, s.world_min.z);
  return std::clamp(covered / std::max(b - a, 1.0), 0.0, 1.0);
}

}  // namespace

std::vector<Finding> label_set_findings(const std::vector<ScanSummary>& scans) {
  std::vector<Finding> findings;
  std::map<std::uint16_t, int> presence;
  int maps = 0;
  for (const ScanSummary& s : scans) {
    if (!s.labels_usable()) continue;
    if (s.labels.empty()) {
      findings.push_back(
          scan_finding(s, "empty_labels", Severity::kError, "the label map has no nonzero label"));
      continue;
    }
    ++maps;
    for (const auto& [l, stat] : s.labels) ++presence[l];
  }
  // The cohort's label set: ids in at least a third of the maps. When two conventions split the
  // cohort, the richer one is the reference: merging loses structures, so the maps without them
  // are the ones to fix, and a stray id in a few maps stays unknown.
  LabelSet majority;
  for (const auto& [l, count] : presence)
    if (3 * count >= maps) majority.insert(l);

  // Missing and unknown labels of each scan; then what a patient's scans miss in common.
  std::map<std::string, std::vector<std::size_t>> by_patient;
  std::vector<LabelSet> missing(scans.size());
  for (std::size_t i = 0; i < scans.size(); ++i) {
    const ScanSummary& s = scans[i];
    if (!s.labels_usable() || s.labels.empty()) continue;
    by_patient[s.entry.patient_id].push_back(i);
    LabelSet unknown;
    for (const auto& [l, stat] : s.labels)
      if (!majority.count(l)) unknown.insert(l);
    for (const std::uint16_t l : majority)
      if (!s.labels.count(l)) missing[i].insert(l);
    if (!unknown.empty()) {
      findings.push_back(scan_finding(
          s, "unknown_label", Severity::kWarning,
          fmt::format("label(s) {} are not in the cohort's label set ({}), which most label maps "
                      "share",
                      list(unknown), list(majority))));
    }
  }
  for (const auto& [patient, indices] : by_patient) {
    LabelSet common = missing[indices[0]];
    for (const std::size_t i : indices) {
      LabelSet both;
      std::set_intersection(common.begin(), common.end(), missing[i].begin(), missing[i].end(),
                            std::inserter(both, both.begin()));
      common = both;
    }
    const bool convention = !common.empty() && (indices.size() >= 2 || common.size() >= 2);
    if (convention) {
      Finding f{"label_convention", Severity::kWarning, {patient}, {}, {}, {}};
      for (const std::size_t i : indices) {
        f.scan_ids.push_back(scans[i].entry.scan_id);
        f.files.push_back(scans[i].entry.labels_as_written);
      }
      f.patient_ids.resize(f.scan_ids.size(), patient);
      f.message = fmt::format(
          "label(s) {} are absent from all {} label map(s) of this patient while most of the "
          "cohort has them: structures merged into others, another labelling convention",
          list(common), indices.size());
      findings.push_back(std::move(f));
    }
    for (const std::size_t i : indices) {
      for (const std::uint16_t l : missing[i]) {
        if (convention && common.count(l)) continue;
        const double coverage = coverage_of_usual_extent(scans, i, l);
        if (coverage < 0.25) {
          findings.push_back(scan_finding(
              scans[i], "structure_outside_fov", Severity::kInfo,
              fmt::format("label {} is absent, but the scan covers only {:.0f}% of where it "
                          "usually lies along the superior-inferior axis",
                          l, 100.0 * coverage)));
        } else {
          findings.push_back(scan_finding(
              scans[i], "missing_structure", Severity::kWarning,
              fmt::format("label {} is absent, although {} of {} label maps have it and the scan "
                          "covers {:.0f}% of where it usually lies",
                          l, presence[l], maps, 100.0 * coverage)));
        }
      }
    }
  }
  return findings;
}

}  // namespace modir::dataset
