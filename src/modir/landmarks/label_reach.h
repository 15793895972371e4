#pragma once

// Which organ a landmark lies in, and whether an organ lies within reach of it: the label check
// of the matcher (a bladder point must land in bladder).

#include "modir/core/image.h"

namespace modir::landmarks {

/// The label of the voxel holding `point` (world LPS mm), -1 outside the grid.
int label_at(const LabelMap& labels, const Vec3d& point);

/// Whether a voxel labelled `label` lies within `radius_mm` of `point`, measured to the voxel's
/// extent (the box of half a spacing around its centre, along the grid's own axes), not its
/// centre: a label map says nothing finer than its voxels, and on 5 mm slices a point inside a
/// labelled voxel can lie 2.5 mm from that voxel's centre.
bool label_within(const LabelMap& labels, const Vec3d& point, int label, double radius_mm);

}  // namespace modir::landmarks
