#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "modir/core/image.h"

namespace modir::filter {

/// The 26-connected components of one label's voxels.
struct Components {
  /// Per voxel, in the label map's order: the component's index into `sizes`, or -1 where the
  /// voxel does not carry the label.
  std::vector<std::int32_t> index;
  std::vector<std::int64_t> sizes;  ///< voxels per component, in order of discovery
  std::int64_t largest() const;     ///< voxels of the largest component (0 when there is none)
};

/// A maximal stretch of one nonzero label along x, in one row of a label map.
struct LabelRun {
  std::uint16_t label = 0;
  std::int64_t y = 0, z = 0;
  std::int64_t first = 0, last = 0;  ///< x, inclusive
  /// The 26-connected piece of its label that the run belongs to. Pieces are numbered over all
  /// labels together, in raster order of each piece's first voxel.
  std::int32_t piece = 0;
};

/// The runs of `only` (of every nonzero label when nullopt), in raster order, each with its piece
/// (26-connectivity, joining only runs of the same label). The work grows with the number of runs,
/// not with voxels times 26 neighbours.
std::vector<LabelRun> label_runs(const LabelMap& labels, std::optional<std::uint16_t> only);

/// Components of the voxels of `labels` equal to `label` (26-connectivity: voxels touching at a
/// corner are one organ, as a contour drawn slice by slice expects).
Components connected_components(const LabelMap& labels, std::uint16_t label);

/// Sets the voxels of `label` that lie in components smaller than `min_fraction` times the
/// label's largest component to `fill`. Returns the number of voxels changed.
std::int64_t remove_small_components(LabelMap& labels, std::uint16_t label, double min_fraction,
                                     std::uint16_t fill);

}  // namespace modir::filter
