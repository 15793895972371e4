#pragma once

#include <filesystem>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "modir/core/pixel_type.h"
#include "modir/register/registration.h"

namespace modir::reg {

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
/// When the two label maps are numbered differently and their names files pair them, the moving
/// labels come renumbered into the fixed ones' values, and `label_pairing` (when given) receives
/// how, for report.json; it is null otherwise.
RegistrationInputs read_registration_inputs(const RegistrationPaths& paths,
                                            PixelType* moving_pixel_type,
                                            nlohmann::json* label_pairing = nullptr);

/// Checks inputs built in memory (the Python package) as read_registration_inputs checks files:
/// valid 3D grids, finite voxels, labels on their image's grid and not empty, landmark pairs
/// complete and inside their images, masks on the fixed grid and not empty. Errors name the
/// input ("fixed", "moving_labels", ...).
void check_registration_inputs(const RegistrationInputs& inputs);

/// {"fixed": {"path": ..., "sha256": ..., "series": ...}, ...} for report.json and front.json.
nlohmann::json describe_inputs(const RegistrationPaths& paths);

/// The path fields of RegistrationPaths by the names report.json and front.json give them
/// ("fixed", "moving", "fixed_labels", ...), the series aside.
inline constexpr std::pair<const char*, std::string RegistrationPaths::*> kInputFields[] = {
    {"fixed", &RegistrationPaths::fixed},
    {"moving", &RegistrationPaths::moving},
    {"fixed_labels", &RegistrationPaths::fixed_labels},
    {"moving_labels", &RegistrationPaths::moving_labels},
    {"fixed_landmarks", &RegistrationPaths::fixed_landmarks},
    {"moving_landmarks", &RegistrationPaths::moving_landmarks},
    {"fixed_mask", &RegistrationPaths::fixed_mask},
    {"rigidity_mask", &RegistrationPaths::rigidity_mask}};

}  // namespace modir::reg
