#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "modir/core/vec.h"

namespace modir {

using Size3 = std::array<std::int64_t, 3>;

/// Where a voxel grid sits in the world: LPS millimetres, as in ITK and DICOM.
///
/// A continuous index (i, j, k) maps to the world point origin + D * diag(spacing) * (i, j, k),
/// where the columns of the direction matrix D are the world directions of the grid axes.
struct Geometry {
  Size3 size{0, 0, 0};
  Vec3d spacing{1, 1, 1};
  Vec3d origin{0, 0, 0};
  Mat3 direction = Mat3::identity();

  std::int64_t voxel_count() const { return size[0] * size[1] * size[2]; }
  /// Volume of one voxel in millilitres (spacing in mm).
  double voxel_ml() const { return spacing.x * spacing.y * spacing.z / 1000.0; }

  /// The matrix D * diag(spacing) taking index steps to world mm.
  Mat3 index_to_world_matrix() const { return direction * Mat3::diagonal(spacing); }
  Vec3d index_to_world(const Vec3d& index) const {
    return origin + index_to_world_matrix() * index;
  }
  Vec3d world_to_index(const Vec3d& world) const;

  /// True when every voxel index (continuous, with half a voxel margin) lies inside the grid.
  bool contains_index(const Vec3d& index) const;

  /// Two geometries describe the same grid: equal sizes, and spacing, origin and direction equal
  /// within a tolerance relative to the voxel size.
  bool same_grid(const Geometry& other, double relative_tolerance = 1e-4) const;

  /// Throws a data error naming `source` when the spacing is not finite and positive, the
  /// direction is not orthonormal, or a size is not positive.
  void validate(const std::string& source) const;

  /// No scan, field or grid of a body reaches farther from the scanner's origin (validate; the
  /// NIfTI header check holds the header's fields to it before ITK reads them).
  static constexpr double kFarthestMm = 1e6;

  /// Three-letter orientation in the "to" convention used by DICOM, nibabel and 3D Slicer: the
  /// world direction each index axis points toward, e.g. "LPS" for the identity direction.
  std::string orientation_toward() const;
  /// The same orientation in ITK's "from" naming (ITK calls the identity direction "RAI").
  std::string orientation_itk() const;

  /// Every how many voxels, per axis, a sample of this grid lies about `spacing_mm` apart: the
  /// nearest whole number to spacing_mm / spacing, at least 1 (so 0 takes every voxel).
  Size3 sampling_stride(double spacing_mm) const;
};

}  // namespace modir
