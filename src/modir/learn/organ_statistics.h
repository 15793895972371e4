#pragma once

// What a model's training labels looked like, organ by organ: the reference a prediction's
// plausibility is checked against (quality_check.h). Written as stats.json in the model folder
// by `segment train`, or by `segment stats` for a model trained before it existed.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "modir/core/image.h"
#include "modir/learn/plan.h"

namespace modir::learn {

/// One label map's organ as QC measures it.
struct OrganMeasure {
  double volume_ml = 0.0;
  /// Centroid minus the reference's centroid (world LPS, mm); NaN when either is absent.
  Vec3d offset_mm{0, 0, 0};
  /// 26-connected pieces of at least 5 % of the largest piece and 0.5 ml (smaller specks are
  /// common at boundaries and say little).
  int components = 0;
  /// Touches the grid's outer layer: the scan may have cut part of it off, so its volume is a
  /// lower bound only.
  bool cut_off = false;
  /// Volume over the "body" class's volume (NaN without a body class or body voxels).
  double body_fraction = 0.0;
};

/// The reference whose centroid positions are measured from: the class named "bone" when the
/// plan has one (rigid, always in a pelvic scan), else "body", else all foreground.
std::string position_reference(const std::vector<LabelClass>& classes);

/// Measures every foreground class of `classes` in `labels` (index = class position).
std::vector<OrganMeasure> measure_organs(const LabelMap& labels,
                                         const std::vector<LabelClass>& classes);

/// Per organ, over the training scans that contain it.
struct OrganStatistics {
  std::uint16_t id = 0;
  std::string name;
  int scans_present = 0;
  double volume_min_ml = 0, volume_max_ml = 0, volume_mean_ml = 0, volume_sd_ml = 0;
  Vec3d offset_mean_mm{0, 0, 0}, offset_sd_mm{0, 0, 0};
  int max_components = 0;
  double body_fraction_max = 0.0;  ///< NaN when the model has no body class
};

struct ModelStatistics {
  int scans = 0;
  std::string reference;
  std::vector<OrganStatistics> organs;  ///< in the order of the plan's classes, background out
};

/// Summarises measure_organs() of many label maps.
class StatisticsBuilder {
 public:
  explicit StatisticsBuilder(std::vector<LabelClass> classes);
  void add(const LabelMap& labels);
  ModelStatistics finish() const;

 private:
  std::vector<LabelClass> classes_;
  std::vector<std::vector<OrganMeasure>> measures_;  ///< per organ, per scan that has it
  int scans_ = 0;
};

inline constexpr const char* kStatisticsFile = "stats.json";

nlohmann::json statistics_to_json(const ModelStatistics& statistics);
/// A data error naming `source` when a key is missing or has the wrong type.
ModelStatistics statistics_from_json(const nlohmann::json& json, const std::string& source);
void write_statistics(const ModelStatistics& statistics, const std::filesystem::path& model_dir);
/// nullopt when the model folder has no stats.json; a corrupt one is a data error.
std::optional<ModelStatistics> read_statistics(const std::filesystem::path& model_dir);

}  // namespace modir::learn
