#pragma once

#include <cstdint>
#include <vector>

#include "modir/core/image.h"

namespace modir::evaluate {

/// Voxel overlap of one label between a fixed label map and a warped (registered moving) one.
struct LabelOverlap {
  std::uint16_t label = 0;
  std::int64_t fixed_voxels = 0;
  std::int64_t warped_voxels = 0;
  std::int64_t common_voxels = 0;  ///< voxels carrying the label in both maps
  double fixed_ml = 0.0;           ///< volume: voxels times the voxel volume, in millilitres
  double warped_ml = 0.0;
  /// Dice = 2 |F and W| / (|F| + |W|): 1 for identical regions, 0 for disjoint ones, and 0 when
  /// the label is missing from one map (then the other has all its voxels unmatched).
  double dice = 0.0;
};

/// Overlap of every nonzero label occurring in either map, ascending by label. The maps must share
/// a grid (a data error describing both grids otherwise).
std::vector<LabelOverlap> label_overlaps(const LabelMap& fixed, const LabelMap& warped);

}  // namespace modir::evaluate
