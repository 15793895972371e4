#pragma once

#include <string>
#include <vector>

#include "modir/core/geometry.h"
#include "modir/core/image.h"
#include "modir/io/rtstruct.h"

namespace modir::io {

/// The outcome for one structure painted into a label map.
struct RasterizedStructure {
  int label = 0;  ///< the value in the label map
  std::string name;
  int roi_number = 0;
  std::array<int, 3> color{255, 0, 0};
  std::int64_t voxel_count = 0;          ///< voxels carrying this label in the final map
  double volume_ml = 0.0;                ///< voxel_count times voxel volume
  double contour_volume_ml = 0.0;        ///< from the polygons: sum of area times slab thickness
  std::int64_t overlap_voxels_lost = 0;  ///< voxels inside this structure given to a smaller one
};

struct RasterizedLabels {
  LabelMap labels;
  std::vector<RasterizedStructure> structures;
  std::vector<std::string> warnings;  ///< e.g. contours outside the grid, skipped open contours
};

/// Paints the chosen structures (all when `names` is empty) onto `grid`: labels 1..N in the order
/// chosen. Each image slice takes the polygons of the structure's nearest contour plane within half
/// a contour spacing (so contours between slices, or finer than slices, are handled); nested
/// polygons on one plane combine by the even-odd rule, so an inner contour is a hole. Where
/// structures overlap, the smaller one keeps the voxel. Throws a usage error for an unknown name.
RasterizedLabels rasterize_structures(const RtStructureSet& set,
                                      const std::vector<std::string>& names, const Geometry& grid);

}  // namespace modir::io
