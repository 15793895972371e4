#include "modir/core/convert_pixels.h"

namespace modir {

AnyImage convert_pixels(const AnyImage& in, PixelType target, ConversionLoss* loss) {
  switch (target) {
    case PixelType::kUInt8: return convert_pixels<std::uint8_t>(in, loss);
    case PixelType::kInt16: return convert_pixels<std::int16_t>(in, loss);
    case PixelType::kUInt16: return convert_pixels<std::uint16_t>(in, loss);
    case PixelType::kInt32: return convert_pixels<std::int32_t>(in, loss);
    case PixelType::kFloat32: return convert_pixels<float>(in, loss);
    case PixelType::kFloat64: return convert_pixels<double>(in, loss);
  }
  throw Error(ErrorKind::kUsage, "unknown pixel type");
}

}  // namespace modir
