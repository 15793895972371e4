#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "modir/core/image.h"

namespace modir {

/// The scalar voxel types modir reads, writes and converts between.
enum class PixelType { kUInt8, kInt16, kUInt16, kInt32, kFloat32, kFloat64 };

/// Lower-case name as used on the command line and in JSON: "uint8", "int16", ..., "float64".
std::string_view pixel_type_name(PixelType type);
/// Parses a name produced by pixel_type_name; nullopt for anything else.
std::optional<PixelType> parse_pixel_type(std::string_view name);

template <typename T>
constexpr PixelType pixel_type_of();
template <>
constexpr PixelType pixel_type_of<std::uint8_t>() {
  return PixelType::kUInt8;
}
template <>
constexpr PixelType pixel_type_of<std::int16_t>() {
  return PixelType::kInt16;
}
template <>
constexpr PixelType pixel_type_of<std::uint16_t>() {
  return PixelType::kUInt16;
}
template <>
constexpr PixelType pixel_type_of<std::int32_t>() {
  return PixelType::kInt32;
}
template <>
constexpr PixelType pixel_type_of<float>() {
  return PixelType::kFloat32;
}
template <>
constexpr PixelType pixel_type_of<double>() {
  return PixelType::kFloat64;
}

/// A scalar image whose voxel type is only known at run time (what a file holds). Code that
/// needs one type converts once with convert_pixels instead of switching on the type.
using AnyImage = std::variant<Image<std::uint8_t>, Image<std::int16_t>, Image<std::uint16_t>,
                              Image<std::int32_t>, Image<float>, Image<double>>;

PixelType pixel_type_of(const AnyImage& image);
const Geometry& geometry_of(const AnyImage& image);

}  // namespace modir
