#include "modir/dataset/truth_score.h"

#include <map>
#include <set>
#include <utility>

#include "modir/core/error.h"

namespace modir::dataset {

namespace {

using Key = std::pair<std::string, std::string>;  // patient, scan ("" for patient-level)

template <typename T>
void count(const std::set<T>& found, const std::set<T>& truth, KindScore& score) {
  for (const T& f : found) (truth.count(f) ? score.true_positives : score.false_positives)++;
  for (const T& t : truth) score.false_negatives += found.count(t) ? 0 : 1;
}

}  // namespace

double KindScore::precision() const {
  const int found = true_positives + false_positives;
  return found == 0 ? 1.0 : double(true_positives) / found;
}

double KindScore::recall() const {
  const int real = true_positives + false_negatives;
  return real == 0 ? 1.0 : double(true_positives) / real;
}

std::vector<KindScore> score_against_truth(const std::vector<Finding>& findings,
                                           const nlohmann::json& truth) {
  if (!truth.is_object() || !truth.contains("issues") || !truth["issues"].is_array())
    throw data_error("the truth file has no \"issues\" list (written by modir phantom --cohort)");
  const auto& issues = truth["issues"];
  // Copies: duplicate (patient, scan) -> original, and the truth groups of duplicates.
  std::map<Key, Key> original_of;
  std::map<Key, std::set<Key>> groups;
  for (const auto& issue : issues) {
    if (issue.value("kind", "") != "duplicate") continue;
    const Key copy{issue["patient_id"], issue["scan_id"]};
    const Key original{issue["original_patient_id"], issue["original_scan_id"]};
    original_of[copy] = original;
    groups[original].insert(original);
    groups[original].insert(copy);
  }
  // The phantom's other convention has no rectum (4) and no femoral heads (7): a structure of
  // those "missing" from one of that patient's scans leaves the label set as it was.
  std::set<std::string> convention_patients;
  for (const auto& issue : issues)
    if (issue.value("kind", "") == "label_convention")
      convention_patients.insert(issue["patient_id"]);
  auto invisible = [&](const nlohmann::json& issue) {
    const int label = issue.value("label", 0);
    return convention_patients.count(issue["patient_id"]) > 0 && (label == 4 || label == 7);
  };
  std::map<std::string, std::set<Key>> truth_units;  // truth kind -> units
  for (const auto& issue : issues) {
    const std::string kind = issue.value("kind", "");
    if (kind == "duplicate" || kind == "label_noise") continue;
    if (kind == "missing_structure" && invisible(issue)) continue;
    const Key unit{issue["patient_id"],
                   kind == "label_convention" ? std::string() : issue.value("scan_id", "")};
    truth_units[kind].insert(unit);
    for (const auto& [copy, original] : original_of) {
      if (kind == "label_convention" && original.first == unit.first)
        truth_units[kind].insert({copy.first, ""});
      else if (original == unit)
        truth_units[kind].insert(copy);
    }
  }

  const std::pair<const char*, const char*> kinds[] = {{"missing_structure", "missing_structure"},
                                                       {"truncated_fov", "truncated_fov"},
                                                       {"other_scanner", "intensity_outlier"},
                                                       {"label_convention", "label_convention"}};
  std::vector<KindScore> scores;
  for (const auto& [truth_kind, finding_kind] : kinds) {
    KindScore score{truth_kind, finding_kind};
    std::set<Key> found;
    for (const Finding& f : findings) {
      if (f.kind != finding_kind) continue;
      for (std::size_t i = 0; i < f.patient_ids.size(); ++i) {
        found.insert({f.patient_ids[i], std::string(truth_kind) == "label_convention"
                                            ? std::string()
                                            : (i < f.scan_ids.size() ? f.scan_ids[i] : "")});
      }
    }
    count(found, truth_units[truth_kind], score);
    scores.push_back(score);
  }

  KindScore duplicates{"duplicate", "duplicate"};
  std::set<std::set<Key>> found_groups, truth_groups;
  for (const auto& [original, members] : groups) truth_groups.insert(members);
  for (const Finding& f : findings) {
    if (f.kind != "duplicate") continue;
    std::set<Key> members;
    for (std::size_t i = 0; i < f.patient_ids.size(); ++i)
      members.insert({f.patient_ids[i], f.scan_ids[i]});
    found_groups.insert(members);
  }
  count(found_groups, truth_groups, duplicates);
  scores.push_back(duplicates);
  return scores;
}

}  // namespace modir::dataset
