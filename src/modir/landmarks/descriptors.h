#pragma once

#include <vector>

#include "modir/core/image.h"

namespace modir::landmarks {

/// MIND-SSC channels of a working image, interleaved (the 12 channels of a voxel side by side),
/// so that describing a point reads eight short runs of memory.
class DescriptorField {
 public:
  static constexpr int kChannels = 12;

  /// MIND-SSC (objective::mind_ssc_descriptors) with patch radius 1 and dilation 2 voxels.
  explicit DescriptorField(const Image<float>& working_image);

  const Geometry& geometry() const { return geometry_; }

  /// The descriptor of a point: the 12 channels, trilinearly interpolated, at each of the
  /// sampling offsets (kDescriptorOffsets, mm) around it; kDescriptorLength floats written to
  /// `out`. Outside the grid the channels continue from the nearest face.
  void describe(const Vec3d& point, float* out) const;

 private:
  Geometry geometry_;
  std::vector<float> channels_;  ///< voxel-major, kChannels per voxel
};

/// Where a descriptor samples, in mm from its point: a 3x3x3 cube with 4 mm steps (the local
/// structure) and the 14 directions of a cube's faces and corners 12 mm out (the context that
/// tells one corner of the bladder from its mirror image).
const std::vector<Vec3d>& descriptor_offsets();
std::size_t descriptor_length();

/// Sum of squared differences of two descriptors.
float descriptor_distance(const float* a, const float* b);

}  // namespace modir::landmarks
