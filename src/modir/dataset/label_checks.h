#pragma once

#include <vector>

#include "modir/dataset/finding.h"
#include "modir/dataset/scan_summary.h"

namespace modir::dataset {

/// Label sets compared with the cohort's label set (ids present in at least a third of the label
/// maps, so that of two conventions splitting a cohort the richer one is the reference):
/// - `empty_labels` (error): a label map without any nonzero label;
/// - `unknown_label` (warning): ids outside the majority set;
/// - `label_convention` (warning): majority labels absent from every scan of a patient (or two or
///   more absent from a patient's only scan): merged structures, another labelling convention;
/// - `missing_structure` (warning): a majority label absent from one scan although the rest of
///   the patient's scans have it, or present in the cohort; when the structure's usual position
///   lies outside the scan's field of view it is `structure_outside_fov` (info) instead.
std::vector<Finding> label_set_findings(const std::vector<ScanSummary>& scans);

}  // namespace modir::dataset
