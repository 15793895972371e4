#include "modir/core/geometry.h"

#include <algorithm>
#include <cmath>

#include "modir/core/error.h"

namespace modir {

Vec3d Geometry::world_to_index(const Vec3d& world) const {
  return index_to_world_matrix().inverse() * (world - origin);
}

bool Geometry::contains_index(const Vec3d& index) const {
  for (int a = 0; a < 3; ++a) {
    if (!(index[a] >= -0.5 && index[a] <= static_cast<double>(size[a]) - 0.5)) return false;
  }
  return true;
}

bool Geometry::same_grid(const Geometry& other, double relative_tolerance) const {
  if (size != other.size) return false;
  const double voxel = std::min({spacing.x, spacing.y, spacing.z});
  for (int a = 0; a < 3; ++a) {
    if (std::abs(spacing[a] - other.spacing[a]) > relative_tolerance * spacing[a]) return false;
    if (std::abs(origin[a] - other.origin[a]) > relative_tolerance * voxel) return false;
  }
  return direction.max_abs_difference(other.direction) <= relative_tolerance;
}

void Geometry::validate(const std::string& source) const {
  for (int a = 0; a < 3; ++a) {
    if (size[a] <= 0) {
      throw data_error("{}: image size {}x{}x{} has an empty axis", source, size[0], size[1],
                       size[2]);
    }
    if (!std::isfinite(spacing[a]) || spacing[a] <= 0.0) {
      throw data_error("{}: voxel spacing ({}, {}, {}) must be finite and positive; fix the header",
                       source, spacing.x, spacing.y, spacing.z);
    }
    if (!std::isfinite(origin[a])) {
      throw data_error("{}: image origin is not finite; fix the header", source);
    }
  }
  // Finite is not enough: a header with a spacing of 3e38 mm read without complaint (found while
  // fuzzing), and its world coordinates exceed what the float32 kernels hold. No scan, field or
  // grid of a body reaches beyond a kilometre (kFarthestMm) from the scanner's origin.
  for (int a = 0; a < 3; ++a) {
    const double extent = spacing[a] * static_cast<double>(size[a]);
    if (extent > kFarthestMm || std::abs(origin[a]) > kFarthestMm) {
      throw data_error(
          "{}: the image reaches beyond a kilometre (origin ({}, {}, {}) mm, spacing ({}, {}, "
          "{}) mm, size {}x{}x{}): a damaged header; fix it",
          source, origin.x, origin.y, origin.z, spacing.x, spacing.y, spacing.z, size[0], size[1],
          size[2]);
    }
  }
  // Headers store direction cosines in float32 (NIfTI) or as printed decimals, so allow 1e-4.
  const Mat3 gram = direction.transposed() * direction;
  if (gram.max_abs_difference(Mat3::identity()) > 1e-4) {
    throw data_error(
        "{}: direction cosines are not orthonormal (a sheared or scaled axis frame); modir "
        "needs a rotation or reflection here: fix the header",
        source);
  }
}

namespace {

// For each index axis, the dominant world axis and its sign; letters in LPS "toward" naming.
std::string orientation_letters(const Mat3& direction, bool toward) {
  static constexpr char kPositive[3] = {'L', 'P', 'S'};
  static constexpr char kNegative[3] = {'R', 'A', 'I'};
  std::string code;
  for (int c = 0; c < 3; ++c) {
    const Vec3d axis = direction.column(c);
    int dominant = 0;
    for (int r = 1; r < 3; ++r) {
      if (std::abs(axis[r]) > std::abs(axis[dominant])) dominant = r;
    }
    const bool positive = axis[dominant] > 0;
    code += (positive == toward) ? kPositive[dominant] : kNegative[dominant];
  }
  return code;
}

}  // namespace

std::string Geometry::orientation_toward() const {
  return orientation_letters(direction, true);
}

std::string Geometry::orientation_itk() const {
  return orientation_letters(direction, false);
}

Size3 Geometry::sampling_stride(double spacing_mm) const {
  Size3 stride{1, 1, 1};
  for (std::size_t a = 0; a < 3; ++a)
    stride[a] = std::max<std::int64_t>(1, std::llround(spacing_mm / spacing[static_cast<int>(a)]));
  return stride;
}

}  // namespace modir
