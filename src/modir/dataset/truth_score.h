#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "modir/dataset/finding.h"

namespace modir::dataset {

/// Precision and recall of one kind of finding against the truth.json of a phantom cohort.
struct KindScore {
  std::string truth_kind;    ///< as truth.json names it (e.g. other_scanner)
  std::string finding_kind;  ///< as the checker names it (e.g. intensity_outlier)
  int true_positives = 0;
  int false_positives = 0;
  int false_negatives = 0;
  double precision() const;  ///< 1 when nothing was found
  double recall() const;     ///< 1 when there was nothing to find
};

/// Scores findings against a cohort's truth (`modir phantom --cohort`). Units: scans for
/// missing_structure, truncated_fov and other_scanner; patients for label_convention; groups
/// (original and copies) for duplicate. A duplicate copy carries its original's troubles, so
/// those count as truth for the copy too. A missing rectum or femoral head in a scan of a patient
/// labelled with the merged convention (which has neither label) changes no label set and is not
/// counted. label_noise is not scored: boundary jitter of a few mm
/// cannot be told from honest annotator variation in a single scan (docs/dataset.md).
std::vector<KindScore> score_against_truth(const std::vector<Finding>& findings,
                                           const nlohmann::json& truth);

}  // namespace modir::dataset
