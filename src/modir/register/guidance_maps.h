#pragma once

#include <memory>
#include <vector>

#include "modir/objective/guidance/label_distance_term.h"
#include "modir/register/registration_config.h"

namespace modir::reg {

/// Signed distance maps of every organ present in both label maps (minus ignored labels), at
/// `spacing_mm` (never finer than the label maps): computed once, shared by all levels.
/// Components of an organ smaller than `config.min_component_fraction` of its largest one are
/// left out of its maps (their volumes are kept in the result): a stray island has no
/// counterpart on the other scan, and the band of 15 mm around each island makes a scatter of
/// small ones outweigh the organ itself in the label term (segmentations of a whole field of view
/// carry such islands, hand contours sometimes a stray blob).
/// The fixed maps are exact within the band (config.band_mm) and two voxel diagonals of their
/// organ and hold that margin elsewhere; the moving maps are exact everywhere.
/// Throws a data error when the maps share no organ, naming the labels of each.
std::shared_ptr<const std::vector<objective::OrganDistanceMaps>> organ_distance_maps(
    const LabelMap& fixed, const LabelMap& moving, const GuidanceConfig& config, double spacing_mm);

}  // namespace modir::reg
