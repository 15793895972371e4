#pragma once

// Pictures in world space: whatever the scan's direction cosines (flipped, oblique, sagittally
// acquired), slices are cut along L, P and S so that the orientation letters on them are true.

#include <string>
#include <vector>

#include "modir/core/image.h"
#include "modir/io/png_io.h"
#include "modir/report/snapshot.h"

namespace modir::report {

/// A grid with identity direction (axes along L, P, S) over the world box the voxels of
/// `geometry` cover; each axis takes the spacing of the image axis closest to it, so an axial
/// scan keeps its pixel size and slice thickness. Equal to `geometry` when its direction already
/// is the identity.
Geometry world_aligned_grid(const Geometry& geometry);

/// One line of a picture's legend.
struct LegendEntry {
  std::string name;
  std::array<std::uint8_t, 3> colour{};
};

/// Marks a picture orthogonal_picture drew of a world-aligned grid: orientation letters at each
/// panel's edges (axial: A top, P bottom, R left, L right, as radiologists view it; coronal: S, I,
/// R, L; sagittal: S, I, A, P), a scale bar with its length in mm on the axial panel, and
/// `legend` (a swatch and a name each) in rows below the panels; the picture grows to hold them.
void annotate_orthogonal(io::RgbPicture& picture, const PanelLayout& layout,
                         const std::vector<LegendEntry>& legend);

}  // namespace modir::report
