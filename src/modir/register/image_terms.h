#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "modir/objective/image_term.h"

namespace modir::reg {

/// The image metrics make_image_term builds, by name: "lncc", "ncc", "ssd", "mi", "mind" (the
/// config's choices for image.metric come from here).
const std::vector<std::string>& image_metric_names();

/// The image term a config names, on one pyramid level; a name not in image_metric_names() is a
/// usage error naming the valid ones. MI's histogram range comes from the full-resolution images
/// so it is the same on every level.
std::unique_ptr<objective::ImageTerm> make_image_term(
    const std::string& metric, const struct ImageTermConfig& config, Image<float> fixed,
    Image<float> moving, std::optional<objective::Mask> mask,
    const std::array<double, 4>& intensity_ranges);

/// min and max of an image, for MI binning.
std::array<double, 2> intensity_range(const Image<float>& image);

}  // namespace modir::reg
