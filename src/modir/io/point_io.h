#pragma once

#include <filesystem>

#include "modir/core/geometry.h"
#include "modir/core/point_set.h"

namespace modir::io {

enum class PointFormat {
  kCsv,            ///< .csv: header `id,x,y,z`, world LPS mm
  kElastix,        ///< .txt: elastix/transformix point file, `point` (world) or `index` kind
  kSlicerMarkups,  ///< .mrk.json / .json: 3D Slicer markups, RAS or LPS per its coordinateSystem
};

/// Decides the point format from the extension; throws a data error for anything else.
PointFormat detect_point_format(const std::filesystem::path& path);

/// Reads points in any supported format into world LPS mm. An elastix `index` file needs the
/// geometry of the image its indices refer to (`reference`); without it that is a usage error.
/// Bad rows throw a data error naming the file and the line number.
PointSet read_points(const std::filesystem::path& path, const Geometry* reference = nullptr);

/// Writes points atomically, in the format chosen by the extension (Slicer markups in LPS).
void write_points(const PointSet& points, const std::filesystem::path& path);

}  // namespace modir::io
