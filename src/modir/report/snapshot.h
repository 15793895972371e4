#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "modir/core/image.h"
#include "modir/io/png_io.h"

namespace modir::report {

/// Display window in HU (or whatever unit the image holds).
struct Window {
  double centre = 40.0;
  double width = 400.0;  ///< the usual soft-tissue window of pelvic CT
};

/// Outline colour per label value (index = value).
using LabelColours = std::vector<std::array<std::uint8_t, 3>>;

/// Three orthogonal slices through `centre_index` (default: the middle of the volume), side by
/// side: axial (patient left on the right, anterior at the top, as radiologists view them),
/// coronal and sagittal (superior at the top). Pixels are square at the finest voxel spacing, so
/// anisotropic scans look right. With `labels`, organ outlines are drawn in `colours` when given
/// (values beyond it in white), else in fixed colours (label 1 in dim grey, so the body outline
/// does not dominate).
io::RgbPicture orthogonal_snapshot(const Image<float>& image, const LabelMap* labels,
                                   const Window& window,
                                   std::optional<Size3> centre_index = std::nullopt,
                                   const LabelColours* colours = nullptr);

/// The outline colour orthogonal_snapshot gives a label value when it is given no colours.
std::array<std::uint8_t, 3> default_label_colour(std::uint16_t label);

/// The colour a voxel value is drawn in.
using Shade = std::function<std::array<std::uint8_t, 3>(float)>;

/// Grey levels of a window, as orthogonal_snapshot draws the scan.
Shade grey_shade(const Window& window);

/// One label map drawn as outlines: in `colours` when given (values beyond it in white), else in
/// orthogonal_snapshot's fixed colours.
struct Outlines {
  const LabelMap* labels = nullptr;
  const LabelColours* colours = nullptr;
};

/// orthogonal_snapshot's three slices with every voxel coloured by `shade` (a colour map of a
/// Jacobian, say) and several outline sets drawn over them, later ones on top.
io::RgbPicture orthogonal_picture(const Image<float>& image, const Shade& shade,
                                  std::span<const Outlines> outlines,
                                  std::optional<Size3> centre_index = std::nullopt);

/// Where orthogonal_picture puts its panels: {left, top, width, height} in pixels for axial,
/// coronal and sagittal, and the millimetres one pixel spans.
struct PanelLayout {
  std::array<std::array<int, 4>, 3> panels{};
  double pixel_mm = 1.0;
};
PanelLayout orthogonal_layout(const Geometry& geometry);

}  // namespace modir::report
