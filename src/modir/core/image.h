#pragma once

#include <cstdint>
#include <vector>

#include "modir/core/error.h"
#include "modir/core/geometry.h"
#include "modir/core/vec.h"

namespace modir {

/// A 3D image: a Geometry plus one contiguous buffer, x fastest, then y, then z.
template <typename T>
class Image {
 public:
  using value_type = T;

  Image() = default;
  explicit Image(const Geometry& geometry, T fill = T{})
      : geometry_(geometry), data_(static_cast<std::size_t>(geometry.voxel_count()), fill) {}

  const Geometry& geometry() const { return geometry_; }
  /// Change where the grid sits without touching the voxels (the size must stay the same).
  void set_geometry(const Geometry& geometry) {
    if (geometry.size != geometry_.size) {
      throw Error(ErrorKind::kData, "Image::set_geometry cannot change the image size");
    }
    geometry_ = geometry;
  }
  const Size3& size() const { return geometry_.size; }
  std::int64_t voxel_count() const { return geometry_.voxel_count(); }

  std::int64_t linear_index(std::int64_t x, std::int64_t y, std::int64_t z) const {
    return x + geometry_.size[0] * (y + geometry_.size[1] * z);
  }
  T& operator()(std::int64_t x, std::int64_t y, std::int64_t z) {
    return data_[static_cast<std::size_t>(linear_index(x, y, z))];
  }
  const T& operator()(std::int64_t x, std::int64_t y, std::int64_t z) const {
    return data_[static_cast<std::size_t>(linear_index(x, y, z))];
  }

  T* data() { return data_.data(); }
  const T* data() const { return data_.data(); }
  std::vector<T>& buffer() { return data_; }
  const std::vector<T>& buffer() const { return data_; }

 private:
  Geometry geometry_;
  std::vector<T> data_;
};

/// Organ labels, one integer per voxel, 0 = background.
using LabelMap = Image<std::uint16_t>;
/// A displacement field on the fixed grid: world-mm LPS vectors u with x -> x + u(x).
using DisplacementField = Image<Vec3f>;

}  // namespace modir
