#pragma once

#include <memory>
#include <optional>

#include "modir/objective/image_term.h"

namespace modir::reg {

/// The image term a config names ("lncc", "ncc", "ssd", "mi", "mind"), on one pyramid level.
/// MI's histogram range comes from the full-resolution images so it is the same on every level.
std::unique_ptr<objective::ImageTerm> make_image_term(
    const std::string& metric, const struct ImageTermConfig& config, Image<float> fixed,
    Image<float> moving, std::optional<objective::Mask> mask,
    const std::array<double, 4>& intensity_ranges);

/// min and max of an image, for MI binning.
std::array<double, 2> intensity_range(const Image<float>& image);

}  // namespace modir::reg
