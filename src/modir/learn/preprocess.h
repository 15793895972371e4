#pragma once

#include <cstdint>
#include <vector>

#include "modir/core/image.h"
#include "modir/learn/plan.h"

namespace modir::learn {

/// The grid a network works on: identity direction (LPS axes) and the plan's spacing, covering
/// the world bounding box of `image`'s voxels. Oblique and flipped scans thus look like the
/// training data; predictions are resampled back to the scan's own grid.
Geometry network_grid(const Geometry& image, const Vec3d& spacing);

/// Maps raw values to the network's input scale, in place (see Normalisation).
void normalise(Image<float>& image, const Normalisation& normalisation);

/// Resamples `image` (linear) onto network_grid(...) and normalises it; outside the scan counts
/// as the lowest intensity (air). For CT models, small dense objects (gold markers, clips) are
/// first filled with the tissue around them (dense_objects.h) unless `fill_dense_objects` is
/// false: training, validation and prediction all read scans through here, so a model sees them
/// the same way in all three.
Image<float> network_input(const Image<float>& image, const SegmentationPlan& plan,
                           bool fill_dense_objects = true);

/// Resamples labels (nearest neighbour) onto `grid` and replaces label ids by class indices of
/// `plan` (ids the plan does not know become background).
Image<std::uint8_t> network_target(const LabelMap& labels, const Geometry& grid,
                                   const SegmentationPlan& plan);

}  // namespace modir::learn
