#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "modir/register/energy.h"

namespace modir::reg {

/// One of the three objectives of docs/registration.md, as a user reads it.
struct ObjectiveValue {
  objective::ObjectiveGroup group;
  double value = 0.0;
};

/// The objectives that a set of final term values holds, in group order (image, guidance,
/// deformation); a group without a term of positive weight is left out. Each is the term-weighted
/// mean of its terms, so it does not change when all weights of a group are scaled together:
///   image        the image terms' dissimilarity;
///   guidance     sqrt of the weighted mean of squared distances (label distance maps and
///                landmarks), i.e. an RMS distance in mm;
///   deformation  the regularity energies (bending: mean squared second derivative, 1/mm^2).
/// Constraint terms (the fold guard) are not objectives and are left out.
std::vector<ObjectiveValue> objective_values(const std::vector<TermValue>& terms);

/// {"image": ..., "guidance_mm": ..., "deformation": ...}, the groups that are present.
nlohmann::json objectives_to_json(const std::vector<ObjectiveValue>& values);

}  // namespace modir::reg
