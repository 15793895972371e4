#pragma once

#include <filesystem>

#include "modir/core/image.h"
#include "modir/io/image_io.h"

namespace modir::io {

/// Reads a label map: organ numbers, 0 = background. Whatever the voxel type it is stored in,
/// every value must be a whole number in 0..65535; anything else (a negative value, a fraction
/// left by linear interpolation, NaN) means the file is not a label map, and rounding it would
/// invent or move organs, so it is a data error naming the file and the count. The one reader of
/// label maps for every command.
LabelMap read_label_map(const std::filesystem::path& path, const ReadOptions& options = {});

/// The same rule for an image already read (`path` names it in the error): its voxels as a
/// LabelMap, or a data error saying how many are not a label and the first such value.
LabelMap label_map_from(const AnyImage& image, const std::filesystem::path& path);

/// A label map that guides or is compared must lie on its scan's grid: a data error naming both
/// files otherwise (resample with `modir convert`).
void check_label_grid(const LabelMap& labels, const Geometry& scan,
                      const std::filesystem::path& labels_path,
                      const std::filesystem::path& scan_path);

}  // namespace modir::io
