#pragma once

#include <memory>
#include <vector>

#include "modir/objective/guidance/label_distance_term.h"
#include "modir/register/registration_config.h"

namespace modir::reg {

/// Signed distance maps of every organ present in both label maps (minus ignored labels), at
/// `spacing_mm` (never finer than the label maps): computed once, shared by all levels.
/// Throws a data error when the maps share no organ, naming the labels of each.
std::shared_ptr<const std::vector<objective::OrganDistanceMaps>> organ_distance_maps(
    const LabelMap& fixed, const LabelMap& moving, const GuidanceConfig& config, double spacing_mm);

}  // namespace modir::reg
