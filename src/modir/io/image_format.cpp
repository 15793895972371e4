#include "modir/io/image_format.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <system_error>

#include "modir/core/error.h"

namespace modir::io {

namespace fs = std::filesystem;

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool has_dicom_preamble(const fs::path& path) {
  std::ifstream stream(path, std::ios::binary);
  std::array<char, 132> head{};
  stream.read(head.data(), head.size());
  return stream.gcount() == 132 && std::string_view(head.data() + 128, 4) == "DICM";
}

constexpr std::string_view kReadable =
    ".nii, .nii.gz, .mha, .mhd, .nrrd, .nhdr, .dcm or a DICOM folder, .npy, .npz";

}  // namespace

std::string_view format_name(ImageFormat format) {
  switch (format) {
    case ImageFormat::kNifti: return "NIfTI";
    case ImageFormat::kMetaImage: return "MetaImage";
    case ImageFormat::kNrrd: return "NRRD";
    case ImageFormat::kDicom: return "DICOM";
    case ImageFormat::kNumpy: return "numpy";
  }
  return "unknown";
}

std::string lower_case_name(const fs::path& path) {
  std::string name = path.filename().string();
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name;
}

ImageFormat detect_image_format(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    throw data_error("'{}' does not exist; check the path", path.string());
  }
  if (fs::is_directory(path, ec)) return ImageFormat::kDicom;
  const std::string name = lower_case_name(path);
  if (ends_with(name, ".nii") || ends_with(name, ".nii.gz")) return ImageFormat::kNifti;
  if (ends_with(name, ".mha") || ends_with(name, ".mhd")) return ImageFormat::kMetaImage;
  if (ends_with(name, ".nrrd") || ends_with(name, ".nhdr")) return ImageFormat::kNrrd;
  if (ends_with(name, ".npy") || ends_with(name, ".npz")) return ImageFormat::kNumpy;
  if (ends_with(name, ".dcm") || ends_with(name, ".ima") || has_dicom_preamble(path)) {
    return ImageFormat::kDicom;
  }
  throw data_error("'{}': unknown image format; modir reads {}", path.string(), kReadable);
}

ImageFormat output_image_format(const fs::path& path) {
  const std::string name = lower_case_name(path);
  if (ends_with(name, ".nii") || ends_with(name, ".nii.gz")) return ImageFormat::kNifti;
  if (ends_with(name, ".mha") || ends_with(name, ".mhd")) return ImageFormat::kMetaImage;
  if (ends_with(name, ".nrrd") || ends_with(name, ".nhdr")) return ImageFormat::kNrrd;
  throw usage_error("'{}': cannot write this format; use .nii.gz, .nii, .mha, .mhd, .nrrd or .nhdr",
                    path.string());
}

}  // namespace modir::io

namespace modir::io {

std::filesystem::path strip_image_extension(const std::filesystem::path& path) {
  const std::string name = lower_case_name(path);
  for (std::string_view ext : {".nii.gz", ".nii", ".mha", ".mhd", ".nrrd", ".nhdr"}) {
    if (ends_with(name, ext)) {
      const std::string original = path.filename().string();
      return path.parent_path() / original.substr(0, original.size() - ext.size());
    }
  }
  return path;
}

}  // namespace modir::io
