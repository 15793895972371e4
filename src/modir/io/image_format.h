#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace modir::io {

/// The image containers modir reads. Writing supports the ITK formats only.
enum class ImageFormat {
  kNifti,      ///< .nii, .nii.gz
  kMetaImage,  ///< .mha, .mhd (+ .raw/.zraw)
  kNrrd,       ///< .nrrd, .nhdr (+ detached data)
  kDicom,      ///< a directory of DICOM files, or a single .dcm file
  kNumpy,      ///< .npy or .npz (numpy arrays, no geometry stored)
};

std::string_view format_name(ImageFormat format);

/// Decides the format from the path: a directory is DICOM; otherwise the extension
/// (case-insensitive), and for files without a known extension the DICOM "DICM" preamble. Throws a
/// data error naming the supported extensions for anything else, and for a path that does not
/// exist.
ImageFormat detect_image_format(const std::filesystem::path& path);

/// Decides the format of a file to be written (NIfTI, MetaImage or NRRD); throws a usage error
/// listing the writable extensions otherwise.
ImageFormat output_image_format(const std::filesystem::path& path);

/// Lower-case file name, for extension tests that must see ".nii.gz" as one extension.
std::string lower_case_name(const std::filesystem::path& path);

}  // namespace modir::io

namespace modir::io {

/// The path without its image extension (".nii.gz" counts as one): "a/ct.nii.gz" -> "a/ct".
std::filesystem::path strip_image_extension(const std::filesystem::path& path);

}  // namespace modir::io
