#pragma once

#include <string>
#include <vector>

#include "modir/core/geometry.h"
#include "modir/core/pixel_type.h"
#include "modir/io/image_format.h"

namespace modir::io {

/// What a file says about an image, before or without reading its voxels.
struct ImageInfo {
  ImageFormat format = ImageFormat::kNifti;
  /// The 3D grid modir uses; a 2D image appears as a single slice.
  Geometry geometry;
  /// Dimensions stored in the file (2, 3 or 4); trailing axes of length 1 are not counted.
  int file_dimension = 3;
  /// Components per voxel (1 for scalar images, 3 for displacement fields).
  int components = 1;
  /// The component type as the file stores it (e.g. "int8", "int16", "float32").
  std::string file_component_type;
  /// The modir type the voxels are read as (int8 widens to int16, 64-bit integers to float64).
  PixelType pixel_type = PixelType::kFloat32;
  /// Facts a careful user should know (e.g. "NIfTI sform used", "2D image read as one slice").
  std::vector<std::string> notes;
};

}  // namespace modir::io
