#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "modir/core/pixel_type.h"
#include "modir/register/registration.h"

namespace modir::cli {

/// The file names a registration reads (empty = not given).
struct RegistrationPaths {
  std::string fixed, moving;
  std::string fixed_series, moving_series;  ///< DICOM series UIDs where a folder holds several
  std::string fixed_labels, moving_labels;
  std::string fixed_landmarks, moving_landmarks;
  std::string fixed_mask;
  std::string rigidity_mask;
};

/// Reads and checks every input of a registration: 3D images, labels on their image's grid and
/// not empty, landmarks paired by id and all inside their image. Errors name the file.
reg::RegistrationInputs read_registration_inputs(const RegistrationPaths& paths,
                                                 PixelType* moving_pixel_type);

/// {"fixed": {"path": ..., "sha256": ..., "series": ...}, ...} for report.json and front.json.
nlohmann::json describe_inputs(const RegistrationPaths& paths);

/// How the moving labels were renumbered to pair with the fixed ones by name (see
/// read_registration_inputs), for report.json; null when they were not.
nlohmann::json describe_label_pairing(const RegistrationPaths& paths);

}  // namespace modir::cli
