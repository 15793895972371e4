#pragma once

// What a result folder holds for `modir review` and `modir report`: its kind, where each volume
// comes from (the scans the run read, found again and checked to be the same bytes, and the
// folder's own files), the names and colours of each label map, and the front.

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "modir/io/label_names.h"

namespace modir::review {

enum class FolderKind {
  kRegistration,  ///< `modir register --out DIR`: report.json and the result's volumes
  kFront,         ///< `modir register --pareto N --out DIR`: also front.json and solutions/
  kPropagation,   ///< `modir propagate --out DIR` (with --pareto N: DIR/front holds the front)
};

/// A result folder, read once when `modir review` starts.
struct ReviewFolder {
  std::filesystem::path dir;  ///< canonical
  FolderKind kind = FolderKind::kRegistration;
  /// Where the volumes come from, by id: the run's inputs ("fixed", "moving", "fixed_labels",
  /// "moving_labels"; for a propagation the daily scan is fixed, the planning scan moving and
  /// the daily organs the fixed labels) found again and unchanged, and the folder's own files
  /// ("warped", "warped_labels", "jacobian", "displacement").
  std::map<std::string, std::filesystem::path> sources;
  /// Volumes that cannot be shown, with the reason (moved, changed since the run).
  std::map<std::string, std::string> unavailable;
  /// Names and colours of each label map ("fixed_labels", "moving_labels", "warped_labels").
  std::map<std::string, io::LabelNames> label_names;
  std::optional<nlohmann::json> front;  ///< front.json, when the folder holds a front
  std::filesystem::path front_dir;      ///< the folder holding front.json and solutions/
  nlohmann::json report;                ///< report.json
};

/// Reads DIR: report.json (and front.json for a front). A data error says what is missing when
/// DIR is not a result of `modir register` or `modir propagate`. An input path is looked for as
/// recorded (relative to the folder the run started in, which is often the current one) and then
/// relative to DIR's parent; one whose sha256 differs from the recorded one is unavailable, never
/// shown as if it matched.
ReviewFolder open_review_folder(const std::filesystem::path& dir);

/// Display colour of a label value: the names file's colour when it has one, else a fixed
/// palette (label 1, modir's body label, in grey).
std::array<int, 3> label_colour(const io::LabelNames& names, std::uint16_t value);

/// The file a front choice is recorded in (what `modir front pick FRONT --index K --json` writes).
std::filesystem::path choice_file(const ReviewFolder& folder);

}  // namespace modir::review
