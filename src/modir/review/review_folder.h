#pragma once

// What a result folder holds for `modir review`: its kind, the scans it was computed from (found
// again and checked to be the same bytes), the names and colours of its labels, and the front.

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
};

/// A result folder, read once when `modir review` starts.
struct ReviewFolder {
  std::filesystem::path dir;  ///< canonical
  FolderKind kind = FolderKind::kRegistration;
  /// Inputs of the registration that can be shown ("fixed", "moving", "fixed_labels",
  /// "moving_labels"), each found and unchanged since the run.
  std::map<std::string, std::filesystem::path> inputs;
  /// Inputs that cannot be shown, with the reason (moved, changed since the run).
  std::map<std::string, std::string> unavailable_inputs;
  io::LabelNames label_names;           ///< of the fixed labels (or the moving ones), may be empty
  std::optional<nlohmann::json> front;  ///< front.json, for a front
  nlohmann::json report;                ///< report.json
};

/// Reads DIR: report.json (and front.json for a front). A data error says what is missing when
/// DIR is not a result of `modir register`. An input path is looked for as recorded (relative to
/// the folder register ran in, which is often the current one) and then relative to DIR's parent;
/// one whose sha256 differs from the recorded one is unavailable, never shown as if it matched.
ReviewFolder open_review_folder(const std::filesystem::path& dir);

/// Display colour of a label value: the names file's colour when it has one, else a fixed
/// palette (label 1, modir's body label, in grey).
std::array<int, 3> label_colour(const io::LabelNames& names, std::uint16_t value);

/// The file a front choice is recorded in (what `modir front pick DIR --index K --json` writes).
std::filesystem::path choice_file(const ReviewFolder& folder);

}  // namespace modir::review
