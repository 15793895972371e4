#pragma once

// Warping what is not a float intensity image: label maps (by one-hot interpolation), images of
// any voxel type, and the displacement field itself onto another grid. The float kernel every
// intensity warp goes through is warp_linear (warp.h).

#include <cstdint>

#include "modir/core/geometry.h"
#include "modir/core/image.h"

namespace modir::transform {

/// Warps a label map onto u's grid, sampling `moving` at x + u(x) by one-hot trilinear
/// interpolation: the eight voxels around the sample vote for their labels with their trilinear
/// weights and the label with the largest summed weight wins. Sums equal within 1e-5 (the
/// precision a float32 u places a sample with) go to the smaller label, so a sample between two
/// labels has one documented answer. This is what interpolating one probability channel per label
/// and taking the argmax gives, without the channels: labels are categories, and interpolating
/// their numbers would invent labels between neighbours.
/// Points more than half a voxel outside the moving grid get `outside_label`; points within half a
/// voxel take the edge voxels' labels. Parallel over slices.
LabelMap warp_labels(const LabelMap& moving, const DisplacementField& u,
                     std::uint16_t outside_label = 0);

/// Samples `moving` at x + u(x) on u's grid by nearest voxel, for any voxel type: values are
/// copied, never mixed. Points more than half a voxel outside the moving grid get
/// `outside_value` (rounded and saturated to T). Parallel over slices.
template <typename T>
Image<T> warp_image_nearest(const Image<T>& moving, const DisplacementField& u,
                            double outside_value = 0.0);

/// Nearest-voxel warping of a label map: blockier boundaries than warp_labels, but the cheapest
/// way that keeps labels valid.
LabelMap warp_labels_nearest(const LabelMap& moving, const DisplacementField& u,
                             std::uint16_t outside_label = 0);

/// Samples `moving` at x + u(x) on u's grid by trilinear interpolation (warp_linear on float
/// voxels), then converts back to T, rounding to nearest and saturating for integer types as
/// filter::resample does; float64 images pass through float32. Points more than half a voxel
/// outside the moving grid get `outside_value` instead of the edge value warp_linear extends.
template <typename T>
Image<T> warp_image(const Image<T>& moving, const DisplacementField& u, double outside_value = 0.0);

/// The field u resampled onto the `reference` grid (any size, spacing, origin and direction) by
/// trilinear interpolation of its world-mm vectors; vectors are not rotated, since they are
/// world vectors whichever grid holds them. Beyond u's outer voxel centres the field is extended
/// as constant (edge-clamped), as everywhere else in modir, so a reference reaching outside u's
/// grid gets the edge displacements there. Parallel over slices.
DisplacementField resample_field(const DisplacementField& u, const Geometry& reference);

}  // namespace modir::transform
