#pragma once

#include <filesystem>
#include <vector>

#include "modir/learn/landmark_network.h"

namespace modir::landmarks {

/// The files of one training pair in a folder, as `modir phantom` writes them.
inline constexpr const char* kPairFixedFile = "fixed.nii.gz";
inline constexpr const char* kPairMovingFile = "moving.nii.gz";
inline constexpr const char* kPairTruthFile = "gt_displacement.nii.gz";

/// Reads pair folders (fixed.nii.gz, moving.nii.gz and the true displacement
/// gt_displacement.nii.gz on the fixed grid) onto the landmark network's working grids
/// (make_working_image with `spacing_mm`): the scans, where the patient is, and the displacement
/// resampled (linearly) to the fixed working grid. A missing file, a field on another grid, or a
/// scan that is not CT (the network reads HU) is a data error naming the folder.
std::vector<learn::LandmarkTrainingPair> read_landmark_training_pairs(
    const std::vector<std::filesystem::path>& folders, double spacing_mm);

}  // namespace modir::landmarks
