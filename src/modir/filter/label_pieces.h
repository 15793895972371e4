#pragma once

// Where each organ of a label map lies, how far it spreads, whether the scan cuts it, and what
// pieces it falls into: the measures that QC's plausibility check (learn/organ_statistics.h) and
// the landmark matcher's organ outlines (landmarks/organ_prior.h) both start from, taken from the
// map's runs in one pass.

#include <cstdint>
#include <vector>

#include "modir/core/image.h"

namespace modir::filter {

/// Zeroth, first and second moments of a set of voxels, in index space (exact for any grid), and
/// whether the set touches the grid's outer layer.
struct VoxelMoments {
  std::int64_t voxels = 0;
  Vec3d index_sum{0, 0, 0};
  /// Sums of index products: xx, yy, zz, xy, xz, yz.
  double products[6] = {0, 0, 0, 0, 0, 0};
  /// Some voxel lies on a face of the grid: the scan may have cut the set off there.
  bool touches_outer_layer = false;

  VoxelMoments& operator+=(const VoxelMoments& other);
  /// Centre of mass in world coordinates (LPS mm); the set must not be empty.
  Vec3d centroid(const Geometry& grid) const;
  /// Standard deviation of the voxel positions along each world axis (mm); the set must not be
  /// empty.
  Vec3d spread(const Geometry& grid) const;
};

/// Every 26-connected piece of every nonzero label, indexed by label id (the outer vector has
/// the largest id + 1 entries; ids that do not occur have none), each label's pieces in raster
/// order of their first voxel.
std::vector<std::vector<VoxelMoments>> label_pieces(const LabelMap& labels);

/// The pieces holding at least `min_share` of the largest piece's voxels and at least
/// `min_voxels`: a predicted map's stray specks left out.
std::vector<VoxelMoments> pieces_at_least(const std::vector<VoxelMoments>& pieces, double min_share,
                                          double min_voxels = 0.0);

/// The pieces' moments together (the whole label when given all its pieces).
VoxelMoments combined(const std::vector<VoxelMoments>& pieces);

}  // namespace modir::filter
