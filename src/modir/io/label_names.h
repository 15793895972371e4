#pragma once

// What the values of a label map are called: the names file beside it, in either of the two
// layouts modir reads and writes, and the pairing of two label maps' values by name when they
// are numbered differently (a planning system's structure order against modir's organ numbers).

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "modir/core/image.h"
#include "modir/io/organ_names.h"

namespace modir::io {

struct LabelName {
  std::string name;
  std::optional<int> roi_number;                ///< from an RT Structure Set, when known
  std::optional<std::array<int, 3>> color;      ///< display colour, when known
  std::string interpreted_type;                 ///< RT ROI Interpreted Type, "" when unknown
};

/// Label value -> name; value 0 (background) is never listed.
using LabelNames = std::map<std::uint16_t, LabelName>;

/// The names in a parsed JSON document: a "labels" array of {value, name, roi_number, color,
/// interpreted_type} (the sidecar `modir convert` and `propagate` write; all but value and name
/// optional) or a "labels" object {"value": "name"} (a phantom's meta.json). nullopt when the
/// document has neither layout; `problem` then says what is wrong.
std::optional<LabelNames> parse_label_names(const nlohmann::json& document, std::string& problem);

/// Reads a names file; a data error names the file and what is wrong with it.
LabelNames read_label_names(const std::filesystem::path& path);

/// A names file and what it says.
struct NamesFile {
  std::filesystem::path path;
  LabelNames names;
};

/// The names file that belongs to a label map, if there is one: its sidecar (X.json beside
/// X.nii.gz) or, failing that, the meta.json of the folder it lies in, whichever parses.
std::optional<NamesFile> label_names_beside(const std::filesystem::path& label_map);

/// How the values of one map (`other`) correspond to those of a reference map (`reference`).
struct LabelPairing {
  std::map<std::uint16_t, std::uint16_t> other_to_reference;
  /// One line per pair, and per label left without a partner, for the user.
  std::vector<std::string> lines;
  std::vector<std::uint16_t> unpaired_reference, unpaired_other;
  /// True when some pair has different values (the maps are numbered differently).
  bool renumbered = false;
};

/// Pairs labels by name: first names equal after normalisation (case, spaces, underscores and
/// side words as the organ name table ignores them, but the side kept apart: Femur_Head_L does
/// not pair with Femur_Head_R), then names of the same organ class where that class names one
/// label on each side. A name that could pair with several is left unpaired and said so.
LabelPairing pair_labels_by_name(const LabelNames& reference, const LabelNames& other,
                                 const OrganNameTable& table);

/// The map with every value renumbered by `mapping`; values it does not list become 0.
LabelMap renumber_labels(const LabelMap& labels, const std::map<std::uint16_t, std::uint16_t>& mapping);

/// The names sidecar of a label map carried to a new grid (warped or resampled): the names are
/// kept, each label's voxels and volume recounted on `carried`, the source rasterisation's count
/// of voxels lost to overlaps dropped, and `provenance` recorded under "warped". nullopt, with a
/// warning, when `source` is not valid JSON or holds no "labels" list.
std::optional<nlohmann::json> carried_label_sidecar(const std::filesystem::path& source,
                                                    const LabelMap& carried,
                                                    const nlohmann::json& provenance);

}  // namespace modir::io
