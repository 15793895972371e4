#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

#include "modir/register/registration.h"

namespace modir::reg {

/// transform.json: the compact form of a result (affine matrix and translation, model, B-spline
/// control grid with its coefficients), enough to rebuild the displacement on any grid.
nlohmann::json transform_to_json(const RegistrationResult& result);
RegistrationResult transform_from_json(const nlohmann::json& json);

/// An affine map from a file, for initialisation: modir's transform.json (its affine part) or an
/// ITK transform text file (AffineTransform_double_3_3 / MatrixOffsetTransformBase with
/// Parameters and FixedParameters), both mapping fixed points to moving points.
transform::AffineTransform read_affine_file(const std::filesystem::path& path);

}  // namespace modir::reg
