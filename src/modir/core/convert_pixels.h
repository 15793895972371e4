#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "modir/core/image.h"
#include "modir/core/pixel_type.h"

namespace modir {

/// Counts of values that did not fit the target type during a conversion.
struct ConversionLoss {
  std::int64_t clamped = 0;     ///< outside the target range, saturated to its limit
  std::int64_t non_finite = 0;  ///< NaN or infinity going to an integer type, written as 0
};

/// Converts voxel values to type U: rounding to nearest for integer targets and saturating at
/// the target's range, so a float CT never wraps around to nonsense. Losses are counted, not
/// hidden.
template <typename U, typename T>
Image<U> convert_pixels(const Image<T>& in, ConversionLoss* loss = nullptr) {
  Image<U> out(in.geometry());
  const T* src = in.data();
  U* dst = out.data();
  const std::int64_t n = in.voxel_count();
  std::int64_t clamped = 0, non_finite = 0;
  if constexpr (std::is_floating_point_v<U>) {
    for (std::int64_t i = 0; i < n; ++i) dst[i] = static_cast<U>(src[i]);
  } else {
    constexpr double lo = static_cast<double>(std::numeric_limits<U>::lowest());
    constexpr double hi = static_cast<double>(std::numeric_limits<U>::max());
    for (std::int64_t i = 0; i < n; ++i) {
      double v = static_cast<double>(src[i]);
      if constexpr (std::is_floating_point_v<T>) {
        if (!std::isfinite(v)) {
          ++non_finite;
          dst[i] = U{0};
          continue;
        }
        v = std::nearbyint(v);
      }
      if (v < lo) {
        v = lo;
        ++clamped;
      } else if (v > hi) {
        v = hi;
        ++clamped;
      }
      dst[i] = static_cast<U>(v);
    }
  }
  if (loss != nullptr) {
    loss->clamped += clamped;
    loss->non_finite += non_finite;
  }
  return out;
}

/// Converts an image of any scalar type to U.
template <typename U>
Image<U> convert_pixels(const AnyImage& in, ConversionLoss* loss = nullptr) {
  return std::visit([loss](const auto& img) { return convert_pixels<U>(img, loss); }, in);
}

/// Converts an image of any scalar type to the run-time type `target`.
AnyImage convert_pixels(const AnyImage& in, PixelType target, ConversionLoss* loss = nullptr);

}  // namespace modir
