#pragma once

#include <vector>

#include "modir/core/image.h"

namespace modir::landmarks {

/// Per-voxel feature channels of a working image, interleaved (a voxel's channels side by side),
/// and the offsets around a point at which a descriptor samples them. The classical matcher's
/// channels are MIND-SSC, sampled at a cube of offsets; the learned matcher's are a network's
/// descriptor head, sampled at the point itself (the network saw the context already).
class DescriptorField {
 public:
  /// MIND-SSC (objective::mind_ssc_descriptors) with patch radius 1 and dilation 2 voxels, sampled
  /// at mind_descriptor_offsets().
  static DescriptorField mind_ssc(const Image<float>& working_image);

  /// `channels` values per voxel of `geometry` (identity direction, isotropic spacing),
  /// voxel-major, sampled at `offsets` (mm).
  DescriptorField(const Geometry& geometry, std::vector<float> values, int channels,
                  std::vector<Vec3d> offsets);

  const Geometry& geometry() const { return geometry_; }
  int channels() const { return channels_; }
  /// Floats in one descriptor: channels x offsets.
  std::size_t length() const { return std::size_t(channels_) * offsets_.size(); }

  /// The descriptor of a point: the channels, trilinearly interpolated, at each offset around it;
  /// length() floats written to `out`. Outside the grid the channels continue from the nearest
  /// face.
  void describe(const Vec3d& point, float* out) const;

 private:
  Geometry geometry_;
  std::vector<float> values_;  ///< voxel-major, channels_ per voxel
  int channels_ = 0;
  std::vector<Vec3d> offsets_;
};

/// Where a MIND-SSC descriptor samples, in mm from its point: a 3x3x3 cube with 4 mm steps (the
/// local structure) and the 14 directions of a cube's faces and corners 12 mm out (the context
/// that tells one corner of the bladder from its mirror image).
const std::vector<Vec3d>& mind_descriptor_offsets();

/// Sum of squared differences of two descriptors of `length` floats.
float descriptor_distance(const float* a, const float* b, std::size_t length);

}  // namespace modir::landmarks
