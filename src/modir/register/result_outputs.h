#pragma once

#include <filesystem>
#include <optional>

#include <nlohmann/json.hpp>

#include "modir/core/pixel_type.h"
#include "modir/register/registration.h"
#include "modir/transform/jacobian.h"

namespace modir::reg {

/// Quality numbers of a written result.
struct ResultSummary {
  transform::JacobianStatistics jacobian;
  double seconds_writing = 0.0;
  /// run_report.h fiducial_marker_report of the written field (write_result_outputs only).
  nlohmann::json fiducial_markers = nullptr;
};

/// What a result gives on the fixed grid: the displacement (affine part included), the moving
/// image and labels warped by it, and its Jacobian determinant.
struct ResultImages {
  DisplacementField displacement;
  Image<float> warped;                   ///< trilinear, edge values beyond the moving grid
  std::optional<LabelMap> warped_labels;  ///< with moving labels: one-hot interpolation
  Image<float> jacobian;
};
ResultImages result_images(const RegistrationResult& result, const RegistrationInputs& inputs);

/// Writes the images and transform.json of a result into `out_dir` (atomically, each file), the
/// warped image in `moving_pixel_type`; the Jacobian's statistics are measured here.
ResultSummary write_result_images(const ResultImages& images, const RegistrationResult& result,
                                  PixelType moving_pixel_type,
                                  const std::filesystem::path& out_dir);

/// Writes the full outputs of a result into `out_dir` (created if needed, files written
/// atomically): displacement.nii.gz (fixed grid, LPS mm, fixed -> moving, affine part included),
/// warped.nii.gz (the moving image on the fixed grid, in the moving file's pixel type),
/// warped_labels.nii.gz (when moving labels are given; one-hot interpolation), jacobian.nii.gz
/// and transform.json.
ResultSummary write_result_outputs(const RegistrationResult& result,
                                   const RegistrationInputs& inputs, PixelType moving_pixel_type,
                                   const std::filesystem::path& out_dir);

/// Per-level logs as JSON (stage, grid, iterations, stop reason, seconds, objective history and
/// term values at start and end).
nlohmann::json levels_to_json(const std::vector<LevelLog>& levels);

/// Peak resident memory of this process so far, in MiB.
double peak_memory_mib();

}  // namespace modir::reg
