#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace modir::reg {

/// Ground-truth scores of one solution (present when `modir register --pareto` had --truth).
struct FrontTruthScores {
  double tre_mean_mm = 0.0;
  double tre_p95_mm = 0.0;
  std::map<std::string, double> dice;  ///< organ label (as text) -> Dice
};

/// One solution of a front, as front.json lists it.
struct FrontEntry {
  std::vector<std::pair<std::string, double>> weights;  ///< by name
  std::vector<double> objectives;                       ///< in the order of Front::objectives
  std::map<std::string, double> organ_distance_mm;      ///< empty without label guidance
  std::optional<double> landmark_rms_mm;
  double folded_fraction = 0.0;
  double jacobian_min = 0.0;
  std::string transform;  ///< relative to the front's folder
  std::optional<FrontTruthScores> truth;
  nlohmann::json raw;  ///< the entry as written, for --json outputs

  /// The largest organ distance, or nullopt without organ distances.
  std::optional<std::pair<std::string, double>> worst_organ() const;
};

/// A recorded input of the registration: its path as given and the SHA-256 of its content.
struct FrontInput {
  std::string path;
  std::string sha256;
  std::string series;  ///< the DICOM series read from a folder of several ("" otherwise)
};

/// front.json, read and checked.
struct Front {
  std::filesystem::path dir;  ///< the folder holding front.json
  std::string modir_version;
  std::vector<std::string> objectives;  ///< 2 or 3 of image, guidance, deformation, in that order
  std::map<std::string, std::string> objective_descriptions;
  std::optional<std::vector<double>> ideal, nadir;  ///< normalisation (absent: nothing unfolded)
  double hypervolume = 0.0;
  std::size_t knee = 0;
  std::map<std::string, FrontInput> inputs;  ///< fixed, moving, fixed_labels, ...
  std::vector<FrontEntry> solutions;

  /// Position of an objective in `objectives`, or nullopt when the front does not have it.
  std::optional<std::size_t> objective_index(const std::string& name) const;
  bool has_organ_distances() const;
  bool has_truth() const;
};

/// The objective names a front may hold, in their canonical order.
inline const std::vector<std::string> kFrontObjectiveNames = {"image", "guidance", "deformation"};

/// Reads DIR/front.json (or the file itself when `path` names it) and checks it: the format tag,
/// 2 or 3 known objective names in canonical order, one value per objective in every solution,
/// finite numbers, solutions indexed 0..n-1 in order, the knee among them, organ distances in
/// every solution or in none, transform paths inside the folder, 64-digit hashes. Problems are
/// data errors naming the file and the entry.
Front read_front(const std::filesystem::path& path);

/// Summary figures of a front for `modir evaluate --front`. "Admissible" solutions are those
/// without folding (folded fraction 0), as `modir register --pareto` counts them.
struct FrontStatistics {
  std::size_t solutions = 0;
  std::size_t folded = 0;
  std::size_t non_dominated = 0;         ///< mutually non-dominated admissible solutions
  std::optional<double> hypervolume;     ///< recomputed; nullopt without normalisation
  std::vector<double> minimum, maximum;  ///< per objective, over every solution
  std::optional<std::pair<std::size_t, double>> best_tre_mean_mm;   ///< (index, value)
  std::optional<std::pair<std::size_t, double>> best_mean_dice;     ///< (index, value)
  std::map<std::string, std::pair<std::size_t, double>> best_dice;  ///< per organ
};

/// Recomputes the front's figures from its solutions: hypervolume of the admissible solutions'
/// objectives normalised by front.json's ideal and nadir points, reference 1.1 in each.
FrontStatistics front_statistics(const Front& front);

/// The statistics as JSON, for --json outputs.
nlohmann::json to_json(const FrontStatistics& statistics, const Front& front);

}  // namespace modir::reg
