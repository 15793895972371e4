#pragma once

#include <filesystem>

#include "modir/phantom/scan_pair.h"

namespace modir::phantom {

/// Writes a pair into `folder` (created if needed): fixed.nii.gz, moving.nii.gz (int16 HU),
/// fixed_labels.nii.gz, moving_labels.nii.gz, fixed_landmarks.csv, moving_landmarks.csv,
/// gt_displacement.nii.gz and meta.json, each atomically.
void write_pair(const PhantomPair& pair, const std::filesystem::path& folder);

}  // namespace modir::phantom
