#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "modir/register/registration.h"
#include "modir/register/registration_config.h"

namespace modir::clinical {

/// The QC files (`segment predict`'s .qc.json) of a registration's label maps.
struct LabelQcPaths {
  std::string fixed, moving;                ///< QC files (empty: none)
  std::string fixed_labels, moving_labels;  ///< the label files they must describe
};

/// Drops the organs a QC file calls unreliable from label guidance (adds them to
/// config.guidance.ignore_labels) with one warning line each, and returns report.json's
/// "label_qc" section (null when no QC file was given). A QC file made for other labels, or
/// given without its label map, is an error.
nlohmann::json apply_label_qc(const LabelQcPaths& paths, const reg::RegistrationInputs& inputs,
                              reg::RegistrationConfig& config);

}  // namespace modir::clinical
