#include "modir/core/pixel_type.h"

#include <array>
#include <utility>

namespace modir {

namespace {
constexpr std::array<std::pair<PixelType, std::string_view>, 6> kNames{{
    {PixelType::kUInt8, "uint8"},
    {PixelType::kInt16, "int16"},
    {PixelType::kUInt16, "uint16"},
    {PixelType::kInt32, "int32"},
    {PixelType::kFloat32, "float32"},
    {PixelType::kFloat64, "float64"},
}};
}  // namespace

std::string_view pixel_type_name(PixelType type) {
  for (const auto& [t, name] : kNames) {
    if (t == type) return name;
  }
  return "unknown";
}

std::optional<PixelType> parse_pixel_type(std::string_view name) {
  for (const auto& [t, n] : kNames) {
    if (n == name) return t;
  }
  return std::nullopt;
}

PixelType pixel_type_of(const AnyImage& image) {
  return std::visit(
      [](const auto& img) {
        return pixel_type_of<typename std::decay_t<decltype(img)>::value_type>();
      },
      image);
}

const Geometry& geometry_of(const AnyImage& image) {
  return std::visit([](const auto& img) -> const Geometry& { return img.geometry(); }, image);
}

}  // namespace modir
