#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "modir/learn/plan.h"
#include "modir/learn/train.h"

namespace modir::learn {

/// Writes the training log as CSV: epoch, seconds, learning rate, losses, validation Dice per
/// class (background excluded) and their mean.
void write_training_log(const std::vector<EpochRecord>& history,
                        const std::vector<LabelClass>& classes, const std::filesystem::path& path);

/// The learning curves as a PNG: losses (training, validation) above, validation Dice per class
/// and its mean below, against epochs.
void write_learning_curves(const std::vector<EpochRecord>& history,
                           const std::vector<LabelClass>& classes,
                           const std::filesystem::path& path);

/// Validation Dice table as CSV: one row per scan, then the mean over scans.
void write_validation_table(const std::vector<ValidationRow>& rows,
                            const std::vector<LabelClass>& classes,
                            const std::filesystem::path& path);

/// Dice of each class of `classes` (background excluded) between two label maps on one grid;
/// NaN where the label is absent from both.
std::vector<double> dice_per_class(const LabelMap& truth, const LabelMap& prediction,
                                   const std::vector<LabelClass>& classes);

}  // namespace modir::learn
