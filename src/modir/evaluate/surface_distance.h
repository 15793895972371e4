#pragma once

#include <cstdint>
#include <vector>

#include "modir/core/image.h"

namespace modir::evaluate {

/// The surface voxels of a label: voxels carrying it with at least one of their 6 face neighbours
/// carrying another value. The outside of the grid counts as another value, so an organ cut by the
/// field of view is closed there (as when the map is padded with background).
Image<std::uint8_t> boundary_mask(const LabelMap& labels, std::uint16_t label);

/// Surface distances of one label between a fixed and a warped label map, in mm.
///
/// From every surface voxel of one map, the distance from its centre to the nearest surface voxel
/// centre of the other map (exact Euclidean distance with the grid's spacing) is one "directed"
/// distance. Both directions are pooled into one set, which every figure summarises, so each
/// surface counts in proportion to its number of surface voxels:
/// - hd95_mm: the 95th percentile of the pooled set (linear interpolation, numpy's default), as
///   medpy's hd95 computes it. Tools differ here: plastimatch averages the two directed 95th
///   percentiles, MONAI and DeepMind's surface-distance take the larger one, so expect small
///   differences when comparing figures;
/// - hausdorff_mm: the maximum (the classic, outlier-driven Hausdorff distance; all tools agree);
/// - mean_surface_mm: the mean, the average symmetric surface distance (MSD, ASSD) as defined by
///   Heimann et al. (2009).
/// Identical maps give 0 for all three.
struct SurfaceDistance {
  std::uint16_t label = 0;
  bool missing_in_fixed = false;  ///< the fixed map has no voxel of the label
  bool missing_in_warped = false;
  std::int64_t fixed_surface_voxels = 0;
  std::int64_t warped_surface_voxels = 0;
  /// NaN when the label is missing on either side: there is no surface to measure to.
  double hd95_mm = 0.0;
  double hausdorff_mm = 0.0;
  double mean_surface_mm = 0.0;

  bool measured() const { return !missing_in_fixed && !missing_in_warped; }
};

/// Surface distances of one label. The maps must share a grid (a data error describing both grids
/// otherwise); a label missing on one or both sides gives NaN distances and the flags, not an
/// error.
SurfaceDistance surface_distance(const LabelMap& fixed, const LabelMap& warped,
                                 std::uint16_t label);

/// Surface distances of every nonzero label occurring in either map, ascending by label.
std::vector<SurfaceDistance> surface_distances(const LabelMap& fixed, const LabelMap& warped);

}  // namespace modir::evaluate
