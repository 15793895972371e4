#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "modir/core/geometry.h"
#include "modir/learn/plan.h"

namespace modir::learn {

/// One labelled scan of a training manifest.
struct TrainingCase {
  std::string patient_id;
  std::string scan_id;
  std::filesystem::path image;  ///< absolute (resolved against the manifest's folder)
  std::filesystem::path labels;
  std::optional<int> fold;  ///< from a split file's `fold` column
  /// The scan's grid once something has read it (training_plan's fingerprinting), so that the
  /// memory estimate need not read the header again; empty until then.
  std::optional<Geometry> grid;
};

/// Reads a manifest (`patient_id,scan_id,image,labels`, as `modir phantom --cohort` writes) or a
/// split file (the same plus `fold`, as `modir dataset split` writes). Paths are relative to the
/// file's folder. Columns are found by name; extra columns are ignored.
std::vector<TrainingCase> read_training_cases(const std::filesystem::path& csv);

struct CaseSplit {
  std::vector<TrainingCase> training;
  std::vector<TrainingCase> validation;
};

/// With `validation_fold`, the rows of that fold validate (the file must have a fold column).
/// Without it, whole patients are drawn for validation with `seed` until about
/// `validation_fraction` of the patients (at least one) are held out: no patient is on both sides.
CaseSplit split_cases(const std::vector<TrainingCase>& cases, std::optional<int> validation_fold,
                      double validation_fraction, std::uint64_t seed);

/// The split training uses: the manifest read and split as split_cases does, with scans left on
/// both sides (training needs scans to validate on). The dry run and the run itself call this, so
/// a dry run refuses what the run would refuse.
CaseSplit training_split(const std::filesystem::path& manifest, std::optional<int> validation_fold,
                         double validation_fraction, std::uint64_t seed);

/// Label names for a training set: `names` given as "id:name,..." or "name,name,..." (index = id)
/// if not empty; otherwise the "labels" object ({"id": "name"}) of dataset.json or truth.json
/// beside the manifest; otherwise "label_<id>". Background is id 0.
std::vector<LabelClass> label_classes(const std::vector<std::uint16_t>& ids,
                                      const std::filesystem::path& manifest,
                                      const std::string& names);

}  // namespace modir::learn
