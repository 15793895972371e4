#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace modir::io {

/// An 8-bit RGB picture, rows top to bottom, pixels left to right.
struct RgbPicture {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgb;  ///< 3 bytes per pixel

  std::uint8_t* pixel(int x, int y) {
    return rgb.data() + 3 * (static_cast<std::size_t>(y) * width + x);
  }
};

/// Writes a picture as PNG (through ITK), atomically.
void write_png(const RgbPicture& picture, const std::filesystem::path& path);

/// Reads a PNG written by write_png (or any 8-bit RGB/grey PNG) back, for tests and tools.
RgbPicture read_png(const std::filesystem::path& path);

}  // namespace modir::io
