#include "modir/io/image_io.h"
#include "modir/io/deformable_registration.h"
#include "modir/io/itk_transform_file.h"

#include <cmath>

#include "modir/core/error.h"
#include "modir/core/log.h"
#include "modir/io/image_backends.h"
#include "modir/io/output_file.h"
#include "modir/io/parallel_gzip.h"

namespace modir::io {

namespace fs = std::filesystem;

namespace {

ImageInfo read_info_unchecked(const fs::path& path, const ReadOptions& options) {
  switch (detect_image_format(path)) {
    case ImageFormat::kNifti:
    case ImageFormat::kMetaImage:
    case ImageFormat::kNrrd: return detail::itk_read_info(path);
    case ImageFormat::kDicom: return detail::dicom_read_info(path, options);
    case ImageFormat::kNumpy: return detail::numpy_read_info(path, options);
  }
  throw data_error("'{}': unknown image format", path.string());
}

void check_dimension(const fs::path& path, const ImageInfo& info, const ReadOptions& options) {
  if (info.file_dimension == 2 && !options.allow_2d) {
    throw data_error("'{}' is a 2D image; this command needs a 3D volume", path.string());
  }
  if (info.file_dimension > 3) {
    throw data_error(
        "'{}' has {} dimensions (a time series or multi-channel volume); this command needs one "
        "3D volume: extract it first",
        path.string(), info.file_dimension);
  }
  if (info.file_dimension < 2) {
    throw data_error("'{}' has {} dimension; this command needs a 3D volume", path.string(),
                     info.file_dimension);
  }
}

template <typename T>
void apply_non_finite_policy(Image<T>& image, const fs::path& path, const ReadOptions& options) {
  if constexpr (std::is_floating_point_v<T>) {
    if (options.non_finite == NonFinitePolicy::kKeep) return;
    std::int64_t count = 0;
    for (T& v : image.buffer()) {
      if (!std::isfinite(v)) {
        ++count;
        if (options.non_finite == NonFinitePolicy::kReplace)
          v = static_cast<T>(options.replacement);
      }
    }
    if (count == 0) return;
    if (options.non_finite == NonFinitePolicy::kError) {
      throw data_error(
          "'{}' has {} NaN or infinite voxel(s); fix the file, or ask for replacement with "
          "--replace-nonfinite VALUE",
          path.string(), count);
    }
    warn("'{}': replaced {} NaN or infinite voxel(s) with {}", path.string(), count,
         options.replacement);
  }
}

}  // namespace

ImageInfo read_image_info(const fs::path& path, const ReadOptions& options) {
  ImageInfo info = read_info_unchecked(path, options);
  info.geometry.validate(path.string());
  return info;
}

AnyImage read_image(const fs::path& path, const ReadOptions& options) {
  const ImageInfo info = read_image_info(path, options);
  check_dimension(path, info, options);
  if (info.components != 1) {
    throw data_error("'{}' has {} components per voxel; this command needs a scalar image",
                     path.string(), info.components);
  }
  AnyImage image = [&] {
    switch (info.format) {
      case ImageFormat::kDicom: return detail::dicom_read(path, options);
      case ImageFormat::kNumpy: return detail::numpy_read(path, options);
      default: return detail::itk_read_scalar(path, info);
    }
  }();
  std::visit([&](auto& img) { apply_non_finite_policy(img, path, options); }, image);
  return image;
}

DisplacementField read_displacement_field(const fs::path& path) {
  if (is_itk_transform_file(path)) return read_itk_displacement_transform(path);
  if (is_deformable_registration(path)) return read_deformable_registration(path).displacement;
  const ImageFormat format = detect_image_format(path);
  if (format == ImageFormat::kDicom || format == ImageFormat::kNumpy) {
    throw data_error("'{}': displacement fields are read from NIfTI, MetaImage or NRRD files",
                     path.string());
  }
  const ImageInfo info = read_image_info(path);
  if (info.components != 3 || info.file_dimension != 3) {
    throw data_error(
        "'{}' is not a 3D displacement field (it has {} dimensions and {} components per voxel; "
        "expected 3 and 3)",
        path.string(), info.file_dimension, info.components);
  }
  DisplacementField field = detail::itk_read_vector(path, info);
  for (const Vec3f& u : field.buffer()) {
    if (!std::isfinite(u.x) || !std::isfinite(u.y) || !std::isfinite(u.z)) {
      throw data_error("'{}' holds NaN or infinite displacements; the field is unusable",
                       path.string());
    }
  }
  return field;
}

namespace {

void write_view(const detail::ImageView& view, const fs::path& path, const WriteOptions& options) {
  const ImageFormat format = output_image_format(path);  // refuses unknown extensions first
  view.geometry.validate(path.string());
  // A NIfTI file is self-contained, so it can be written under a plain name and renamed.
  std::string temp_name;
  if (format == ImageFormat::kNifti) {
    const std::string name = lower_case_name(path);
    temp_name = name.size() > 3 && name.compare(name.size() - 3, 3, ".gz") == 0 ? "image.nii.gz"
                                                                                : "image.nii";
  }
  AtomicOutput output(path, temp_name);
  if (temp_name == "image.nii.gz") {
    // ITK writes the header and voxels uncompressed; the compression is ours: parallel, and at a
    // level that suits float fields (parallel_gzip.h). The plain file must go before commit().
    const fs::path plain = output.temp_path().parent_path() / "image.nii";
    detail::itk_write(view, plain, /*compress=*/false);
    gzip_file(plain, output.temp_path(), kImageCompressionLevel);
    fs::remove(plain);
  } else {
    detail::itk_write(view, output.temp_path(), options.compress);
  }
  output.commit();
}

}  // namespace

template <typename T>
void write_image(const Image<T>& image, const fs::path& path, const WriteOptions& options) {
  write_view({image.geometry(), pixel_type_of<T>(), 1, image.data()}, path, options);
}

template void write_image(const Image<std::uint8_t>&, const fs::path&, const WriteOptions&);
template void write_image(const Image<std::int16_t>&, const fs::path&, const WriteOptions&);
template void write_image(const Image<std::uint16_t>&, const fs::path&, const WriteOptions&);
template void write_image(const Image<std::int32_t>&, const fs::path&, const WriteOptions&);
template void write_image(const Image<float>&, const fs::path&, const WriteOptions&);
template void write_image(const Image<double>&, const fs::path&, const WriteOptions&);

void write_image(const AnyImage& image, const fs::path& path, const WriteOptions& options) {
  std::visit([&](const auto& img) { write_image(img, path, options); }, image);
}

void write_displacement_field(const DisplacementField& field, const fs::path& path,
                              const WriteOptions& options) {
  if (is_itk_transform_file(path)) {
    write_itk_displacement_transform(field, path);
    return;
  }
  write_view({field.geometry(), PixelType::kFloat32, 3, field.data()}, path, options);
}

}  // namespace modir::io
