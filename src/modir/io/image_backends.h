#pragma once

// Internal seam between image_io.cpp (validation, policies, atomic output) and the code that
// talks to each container format. Not part of the public io API.

#include <filesystem>

#include "modir/core/image.h"
#include "modir/core/pixel_type.h"
#include "modir/io/image_info.h"
#include "modir/io/image_io.h"

namespace modir::io::detail {

/// A voxel buffer with its geometry and component type, without ownership.
struct ImageView {
  Geometry geometry;
  PixelType component_type = PixelType::kFloat32;
  int components = 1;
  const void* data = nullptr;
};

// NIfTI, MetaImage and NRRD through ITK's ImageIO classes (itk_image_io.cpp).
ImageInfo itk_read_info(const std::filesystem::path& path);
AnyImage itk_read_scalar(const std::filesystem::path& path, const ImageInfo& info);
DisplacementField itk_read_vector(const std::filesystem::path& path, const ImageInfo& info);
void itk_write(const ImageView& image, const std::filesystem::path& path, bool compress);

// A DICOM image series from a folder or a single file (dicom_series.cpp).
ImageInfo dicom_read_info(const std::filesystem::path& path, const ReadOptions& options);
AnyImage dicom_read(const std::filesystem::path& path, const ReadOptions& options);

// numpy .npy / .npz arrays (numpy_io.cpp).
ImageInfo numpy_read_info(const std::filesystem::path& path, const ReadOptions& options);
AnyImage numpy_read(const std::filesystem::path& path, const ReadOptions& options);

}  // namespace modir::io::detail
