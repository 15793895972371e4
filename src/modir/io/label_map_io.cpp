#include "modir/io/label_map_io.h"

#include <cmath>
#include <variant>

#include "modir/core/convert_pixels.h"
#include "modir/core/error.h"

namespace modir::io {

LabelMap label_map_from(const AnyImage& image, const std::filesystem::path& path) {
  std::int64_t bad = 0;
  double first = 0.0;
  std::visit(
      [&](const auto& im) {
        for (const auto v : im.buffer()) {
          const double d = static_cast<double>(v);
          if (!(d >= 0.0 && d <= 65535.0 && d == std::floor(d))) {
            if (bad++ == 0) first = d;
          }
        }
      },
      image);
  if (bad > 0) {
    throw data_error(
        "'{}' is not a label map: {} voxel(s) are not whole numbers in 0..65535 (the first: {}); "
        "a label map holds organ numbers, 0 = background",
        path.string(), bad, first);
  }
  return std::visit([](const auto& im) { return convert_pixels<std::uint16_t>(im); }, image);
}

LabelMap read_label_map(const std::filesystem::path& path, const ReadOptions& options) {
  return label_map_from(read_image(path, options), path);
}

void check_label_grid(const LabelMap& labels, const Geometry& scan,
                      const std::filesystem::path& labels_path,
                      const std::filesystem::path& scan_path) {
  if (!labels.geometry().same_grid(scan)) {
    throw data_error(
        "label map {} is not on the grid of {} (labels must share their scan's size, spacing, "
        "origin and direction; resample them with 'modir convert' first)",
        labels_path.string(), scan_path.string());
  }
}

}  // namespace modir::io
