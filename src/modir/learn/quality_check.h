#pragma once

// Quality control of a predicted label map (issue 14): a network trained on one population and
// scanner breaks silently on the next. Two independent signals per organ:
//  - confidence: agreement (Dice) of the prediction with predictions of perturbed copies of the
//    scan (test-time augmentation: mirrored, intensity-shifted, rescaled); a network that has
//    learnt the organ answers the same under such small changes, one that guesses does not;
//  - plausibility: volume, position relative to the bones (or body) and number of pieces against
//    what the training labels showed (organ_statistics.h).
// An organ that fails either is "unreliable"; the result is written as <out>.qc.json beside the
// labels, and `register` drops unreliable organs from guidance when given that file.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "modir/core/image.h"
#include "modir/core/progress.h"
#include "modir/filter/dense_objects.h"
#include "modir/learn/organ_statistics.h"
#include "modir/learn/segmenter.h"

namespace modir::learn {

/// Thresholds of the verdict (chosen on development scans, docs/segmentation.md).
struct QcThresholds {
  double min_confidence = 0.90;        ///< mean test-time-augmentation Dice
  double volume_low_factor = 0.5;      ///< below this times the training minimum
  double volume_high_factor = 1.5;     ///< above this times the training maximum
  /// Share of the body's volume above this times the training maximum. Loose, because a narrow
  /// field of view cuts the body more than the organs inside it (1.7 times on a small phantom).
  double body_fraction_factor = 3.0;
  double position_sd = 4.0;            ///< centroid farther than this many training SDs...
  double position_floor_mm = 25.0;     ///< ...and farther than this, along any axis
  int extra_components = 1;            ///< more pieces than the training maximum plus this
  /// Metal (metal_check.h) within reach of an organ, as a share of the organ's volume, above
  /// which the organ is in part an implant. Femoral heads around hip replacements held 14-92 %
  /// on the development and test scans, bone (with the stems and shells) at most 4.4 %.
  double metal_share = 0.10;
};

struct OrganQc {
  std::uint16_t id = 0;
  std::string name;
  OrganMeasure measure;
  double confidence = 0.0;  ///< NaN when neither the prediction nor any variant has the organ
  std::vector<std::string> reasons;  ///< empty: reliable
  double metal_ml = 0.0;             ///< metal within reach of the organ (check_prediction)
  bool reliable() const { return reasons.empty(); }
};

struct QcReport {
  std::string labels_digest;  ///< label_map_digest() of the labels it describes
  std::vector<std::string> variants;
  double seconds_variants = 0.0;
  bool has_statistics = false;
  double metal_ml = 0.0;        ///< metal anywhere in the scan (check_prediction)
  /// Small dense objects filled before the network read the scan (dense_objects.h;
  /// check_prediction, when the prediction filled them).
  std::vector<filter::DenseObject> dense_objects;
  std::vector<OrganQc> organs;  ///< foreground classes of the plan
};

/// SHA-256 of a label map's grid (size, spacing, origin, direction) and voxels: ties a .qc.json
/// to the labels it was made for, whatever file format or compression they were saved in.
std::string label_map_digest(const LabelMap& labels);

/// The test-time variants' names, in order: "mirror", "intensity", "scale".
std::vector<std::string> qc_variant_names();

/// Predicts `image` with each test-time variant and returns the labels on the image's grid. Each
/// view is a single prediction (PredictOptions::mirror off): a view averaged with its own mirror
/// image would agree with a mirror-averaged prediction by construction, and the disagreement QC
/// ranks by would vanish.
std::vector<LabelMap> predict_variants(const Segmenter& segmenter, const Image<float>& image,
                                       const PredictOptions& options, Progress& progress);

/// Judges `labels` (the prediction) against its variants and the model's training statistics
/// (plausibility checks are skipped when `statistics` is empty; the report says so).
QcReport assess_prediction(const LabelMap& labels, const std::vector<LabelMap>& variants,
                           const std::vector<LabelClass>& classes,
                           const std::optional<ModelStatistics>& statistics,
                           const QcThresholds& thresholds = {});

/// Adds the metal of a CT scan (metal_check.h) to a report: the scan's total, each organ's share,
/// and a reason for each organ whose share exceeds thresholds.metal_share.
void add_metal_findings(QcReport& report, const Image<float>& image, const LabelMap& labels,
                        const std::vector<LabelClass>& classes,
                        const QcThresholds& thresholds = {});

/// The whole check of one prediction, as `segment predict` and `propagate` run it: the test-time
/// variants (with their names and time in the report) judged with the model folder's training
/// statistics, and the scan's metal near each organ; without a statistics file the
/// plausibility checks are skipped and the report says so (has_statistics false).
QcReport check_prediction(const Segmenter& segmenter, const std::filesystem::path& model,
                          const Image<float>& image, const LabelMap& labels,
                          const PredictOptions& options, Progress& progress);

nlohmann::json qc_to_json(const QcReport& report, const std::string& image,
                          const std::string& labels, const std::string& model);

/// The QC file beside a label map: "pred.nii.gz" -> "pred.qc.json".
std::filesystem::path qc_path_for(const std::filesystem::path& labels);

/// The organs a QC file calls unreliable, with their reasons. Reading checks the file's digest
/// against `labels`: a QC file made for other labels is a data error naming both files.
struct QcVerdicts {
  std::vector<std::pair<std::uint16_t, std::string>> unreliable;  ///< label id, reasons joined
  std::vector<std::string> unreliable_names;
};
QcVerdicts read_qc_verdicts(const std::filesystem::path& qc_file, const LabelMap& labels,
                            const std::string& labels_path);

}  // namespace modir::learn
