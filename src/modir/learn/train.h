#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "modir/core/progress.h"
#include "modir/learn/planner.h"
#include "modir/learn/segmenter.h"
#include "modir/learn/training_set.h"

namespace modir::learn {

struct TrainOptions {
  std::filesystem::path manifest;  ///< manifest.csv or a split file with a fold column
  std::filesystem::path out;       ///< the model folder
  std::optional<int> validation_fold;
  double validation_fraction = 0.2;  ///< without a fold column: patients held out
  std::uint64_t seed = 1;
  Device device = Device::kCpu;
  bool mixed_precision = true;  ///< CUDA only: float16 autocast with loss scaling
  PlanningOptions planning;
  std::string label_names;  ///< see label_classes()
  /// Which classes prediction fills (apply_fill_holes): "auto" = the classes whose training
  /// labels hold no holes within axial slices (a fine-tuning keeps its model's), "none", or names.
  std::string fill_holes = "auto";
  int epochs = 50;
  int iterations_per_epoch = 50;
  double max_minutes = 0;  ///< > 0: fewer epochs so that training ends in time
  double learning_rate = 3e-3;
  bool resume = false;  ///< continue from out/checkpoint.pt
  /// Fine-tuning: start from this model folder's plan and weights (a fresh optimiser and
  /// schedule) instead of planning and initialising anew. Empty: from scratch.
  std::filesystem::path initial_model;
  /// Share of training patches whose CT appearance is redrawn (libtorch/appearance.h: tissue
  /// levels, contrast, gas, calibration, bias, slice thickness, kernel, noise); 0 turns it off.
  double appearance_probability = 0.6;
  /// Share of patches cut by a field-of-view edge (air beyond it, unlabelled).
  double truncation_probability = 0.15;
  int stop_after_epochs = 0;     ///< > 0: end this session after that epoch (resume later)
  int validation_patches = 4;    ///< per validation scan, for the per-epoch Dice
  bool final_validation = true;  ///< full sliding-window validation at the end
  /// Called with the plan and the split before the model folder is made and any scan is
  /// resampled; `segment train` checks the memory estimate there (it throws to refuse).
  std::function<void(const SegmentationPlan&, const CaseSplit&)> before_training;
};

struct EpochRecord {
  int epoch = 0;
  double seconds = 0;
  double learning_rate = 0;
  double train_loss = 0;
  double validation_loss = 0;
  std::vector<double> validation_dice;  ///< per class, background excluded
};

struct ValidationRow {
  std::string patient_id, scan_id;
  std::vector<double> dice;  ///< per class, background excluded; NaN: absent in both
};

struct TrainResult {
  SegmentationPlan plan;
  std::vector<EpochRecord> history;
  std::vector<ValidationRow> validation;  ///< the final full validation
  int training_scans = 0;
  int validation_scans = 0;
};

/// Trains a segmentation U-Net and writes the model folder: plan.json, weights.pt,
/// checkpoint.pt, training_log.csv, learning_curves.png and validation.csv.
TrainResult train_segmentation(const TrainOptions& options, Progress& progress);

}  // namespace modir::learn
