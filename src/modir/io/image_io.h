#pragma once

#include <filesystem>
#include <string>

#include "modir/core/convert_pixels.h"
#include "modir/core/image.h"
#include "modir/core/pixel_type.h"
#include "modir/io/image_info.h"

namespace modir::io {

/// What to do with NaN or infinite voxels in a floating-point file.
enum class NonFinitePolicy {
  kError,    ///< refuse the file (the default: a NaN silently propagates through everything)
  kReplace,  ///< replace them with ReadOptions::replacement and warn
  kKeep,     ///< keep them (for inspection tools such as `modir info`)
};

struct ReadOptions {
  /// Accept a 2D image as a single-slice 3D volume (otherwise a 2D file is an error).
  bool allow_2d = false;
  NonFinitePolicy non_finite = NonFinitePolicy::kError;
  double replacement = 0.0;
  /// DICOM: which series to read when a directory holds several, and the command-line option
  /// that chooses it (named in the error that lists the series when none was chosen).
  std::string dicom_series_uid;
  std::string dicom_series_option = "--series";
  /// numpy .npz: which array to read when the archive holds several.
  std::string npz_array;
};

/// Reads the header of any supported image (file or DICOM directory) without the voxel data.
ImageInfo read_image_info(const std::filesystem::path& path, const ReadOptions& options = {});

/// Reads a scalar image of any supported format, in the voxel type it is stored in (see
/// ImageInfo::pixel_type). Geometry is validated; bad input throws modir::Error.
AnyImage read_image(const std::filesystem::path& path, const ReadOptions& options = {});

/// Reads a scalar image and converts its voxels to T (rounding and saturating; see convert_pixels).
template <typename T>
Image<T> read_image_as(const std::filesystem::path& path, const ReadOptions& options = {},
                       ConversionLoss* loss = nullptr) {
  return convert_pixels<T>(read_image(path, options), loss);
}

/// Reads a 3-component vector image (a displacement field, LPS mm components as ITK writes them),
/// or an ITK HDF5 transform file (.h5) holding one displacement field transform.
DisplacementField read_displacement_field(const std::filesystem::path& path);

struct WriteOptions {
  /// Compress where the format allows it (.nii.gz always is, .mha/.nrrd when set).
  bool compress = true;
};

/// Writes a scalar image atomically (temporary file, then rename) as NIfTI, MetaImage or NRRD.
void write_image(const AnyImage& image, const std::filesystem::path& path,
                 const WriteOptions& options = {});
template <typename T>
void write_image(const Image<T>& image, const std::filesystem::path& path,
                 const WriteOptions& options = {});

/// Writes a displacement field as a 3-component float32 vector image, components in LPS mm
/// (the ITK convention, read as is by ITK, ANTs and 3D Slicer); to a .h5 path, as an ITK
/// DisplacementFieldTransform file (itk_transform_file.h).
void write_displacement_field(const DisplacementField& field, const std::filesystem::path& path,
                              const WriteOptions& options = {});

}  // namespace modir::io
