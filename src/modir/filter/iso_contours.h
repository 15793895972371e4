#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "modir/core/image.h"

namespace modir::filter {

/// A closed polygon in the continuous index coordinates (x, y) of one image slice; the last
/// vertex connects back to the first.
using SlicePolygon = std::vector<std::array<double, 2>>;

/// The closed iso-lines at `level` of slice `z` of `image` (marching squares on the voxel centres).
///
/// Voxels with value >= level are inside. A vertex lies on the grid edge between an inside and an
/// outside voxel centre, placed by linear interpolation of the two values, so a fractional mask (a
/// structure warped with linear interpolation) gives sub-voxel contours, and a binary 0/1 mask at
/// level 0.5 gives contours through the midpoints between centres. Either way every inside centre
/// lies inside the polygons and every outside centre outside them (by the even-odd rule), so
/// rasterising the polygons at the voxel centres gives the mask back. Beyond the slice's edge the
/// image counts as outside, with the crossing half a voxel out, so every line closes. A cell whose
/// diagonal corners disagree (a saddle) joins its inside corners when the mean of its four values
/// is inside. Holes come out as polygons of their own. Straight runs are merged, so a polygon keeps
/// only its corners. The order of polygons and of their vertices is deterministic.
std::vector<SlicePolygon> iso_contours(const Image<float>& image, std::int64_t z, float level);

/// The signed area of a polygon (positive for counter-clockwise in x, y), in index units squared.
double signed_area(const SlicePolygon& polygon);

}  // namespace modir::filter
