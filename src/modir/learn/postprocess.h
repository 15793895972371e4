#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "modir/core/image.h"

namespace modir::learn {

/// Class scores on the network grid: `channels` images of `grid.voxel_count()` floats each,
/// channel after channel (the layout of a [C, z, y, x] tensor).
struct ClassScores {
  Geometry grid;
  int channels = 0;
  std::vector<float> values;
};

/// Labels on `target` (any grid, any direction): at each target voxel centre the scores are
/// interpolated trilinearly on the network grid and the best class wins; class c writes
/// `class_ids[c]`. Works slice by slice: memory beyond the output is independent of its size.
LabelMap labels_from_scores(const ClassScores& scores, const Geometry& target,
                            const std::vector<std::uint16_t>& class_ids);

/// For each label in `ids`, keeps its largest 26-connected component and any other at least half
/// its size (paired organs); the voxels of smaller components become `fill`.
void keep_largest_components(LabelMap& labels, const std::vector<std::uint16_t>& ids,
                             std::uint16_t fill);

/// Organs lie inside the patient: every labelled voxel outside `body` becomes `background`, and,
/// when the model has a body class (`body_id`), every background voxel inside `body` becomes body.
/// Networks trained on scans cropped to the patient label what they have never seen (the air of
/// a 500 mm field of view, the couch) at random; the outline is found from the CT itself
/// (filter/body_mask.h). Returns the number of voxels changed.
std::int64_t constrain_to_body(LabelMap& labels, const Image<std::uint8_t>& body,
                               std::uint16_t background, std::optional<std::uint16_t> body_id);

/// Solid organs have no holes: for each label in `organs`, in turn, the voxels it encloses within
/// an axial slice (filter/slice_holes.h) whose label is in `replaceable` (the body, background)
/// take that label. Another organ inside it stays: only tissue the network called unspecific
/// is claimed. Networks leave such holes where an organ's inside looks unlike its training
/// images (a contrast layer, streaks, noise). Returns the number of voxels changed per organ.
std::vector<std::int64_t> fill_organ_holes(LabelMap& labels,
                                           const std::vector<std::uint16_t>& organs,
                                           const std::vector<std::uint16_t>& replaceable);

}  // namespace modir::learn
