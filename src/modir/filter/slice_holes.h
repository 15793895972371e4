#pragma once

#include <cstdint>

#include "modir/core/image.h"

namespace modir::filter {

/// The index axis (0, 1 or 2) whose world direction lies closest to the patient's long axis (LPS
/// z, superior-inferior): the planes across it are the scan's axial slices, whatever order the
/// file stores them in (a sagittal acquisition's k runs left-right).
int axial_axis(const Geometry& grid);

/// Fills the holes of `mask` (nonzero = inside) within each plane across index axis `axis`: the
/// voxels outside it that the plane's edge cannot reach through 4-connected outside voxels become
/// 1. A hole closed within a slice but open through the next one is filled too; that is the point
/// (a contour drawn slice by slice has no holes). Returns the number of voxels filled.
std::int64_t fill_slice_holes(Image<std::uint8_t>& mask, int axis);

}  // namespace modir::filter
