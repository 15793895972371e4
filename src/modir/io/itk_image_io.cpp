// NIfTI, MetaImage and NRRD through ITK's ImageIO classes, used directly rather than through the
// templated reader so that one code path handles every voxel type and the file's own component
// type stays visible to `modir info`. ITK converts NIfTI's RAS header to LPS on the way in and out.

#include <itkImageIOBase.h>
#include <itkMetaImageIO.h>
#include <itkNiftiImageIO.h>
#include <itkNrrdImageIO.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "modir/core/error.h"
#include "modir/io/file_checks.h"
#include "modir/io/image_backends.h"
#include "modir/io/nifti_non_finite.h"

namespace modir::io::detail {

namespace fs = std::filesystem;
using Component = itk::IOComponentEnum;

namespace {

itk::ImageIOBase::Pointer make_image_io(ImageFormat format) {
  switch (format) {
    case ImageFormat::kNifti: return itk::NiftiImageIO::New().GetPointer();
    case ImageFormat::kMetaImage: return itk::MetaImageIO::New().GetPointer();
    case ImageFormat::kNrrd: return itk::NrrdImageIO::New().GetPointer();
    default: break;
  }
  throw data_error("internal: format {} is not handled by ITK", format_name(format));
}

std::string first_line(const char* text) {
  std::string s = text != nullptr ? text : "";
  s.erase(std::find(s.begin(), s.end(), '\n'), s.end());
  return s;
}

// The modir type each file component type is read as: the same type where modir has it, the
// next wider one otherwise (int8 -> int16), float64 for 32/64-bit integers modir does not carry.
PixelType modir_type_for(Component component, const fs::path& path) {
  switch (component) {
    case Component::UCHAR: return PixelType::kUInt8;
    case Component::CHAR:
    case Component::SHORT: return PixelType::kInt16;
    case Component::USHORT: return PixelType::kUInt16;
    case Component::INT: return PixelType::kInt32;
    case Component::UINT:
    case Component::LONG:
    case Component::ULONG:
    case Component::LONGLONG:
    case Component::ULONGLONG:
    case Component::DOUBLE: return PixelType::kFloat64;
    case Component::FLOAT: return PixelType::kFloat32;
    default: break;
  }
  throw data_error("'{}': unsupported voxel component type", path.string());
}

// Component type names in modir's (numpy-like) naming, whatever ITK calls them.
std::string component_name(Component component) {
  switch (component) {
    case Component::UCHAR: return "uint8";
    case Component::CHAR: return "int8";
    case Component::USHORT: return "uint16";
    case Component::SHORT: return "int16";
    case Component::UINT: return "uint32";
    case Component::INT: return "int32";
    case Component::ULONG:
    case Component::ULONGLONG: return "uint64";
    case Component::LONG:
    case Component::LONGLONG: return "int64";
    case Component::FLOAT: return "float32";
    case Component::DOUBLE: return "float64";
    default: break;
  }
  return itk::ImageIOBase::GetComponentTypeAsString(component);
}

Component itk_component_for(PixelType type) {
  switch (type) {
    case PixelType::kUInt8: return Component::UCHAR;
    case PixelType::kInt16: return Component::SHORT;
    case PixelType::kUInt16: return Component::USHORT;
    case PixelType::kInt32: return Component::INT;
    case PixelType::kFloat32: return Component::FLOAT;
    case PixelType::kFloat64: return Component::DOUBLE;
  }
  return Component::FLOAT;
}

itk::ImageIOBase::Pointer open_header(const fs::path& path, ImageFormat format) {
  if (format == ImageFormat::kMetaImage) check_metaimage_header(path);
  if (format == ImageFormat::kNifti) check_nifti_header(path);
  if (format == ImageFormat::kNrrd) check_nrrd_header(path);
  itk::ImageIOBase::Pointer io = make_image_io(format);
  io->SetFileName(path.string());
  try {
    if (!io->CanReadFile(path.string().c_str())) {
      throw data_error("'{}' is not a readable {} file (wrong extension, or a damaged header)",
                       path.string(), format_name(format));
    }
    io->ReadImageInformation();
  } catch (const itk::ExceptionObject& e) {
    throw data_error("'{}': cannot read the {} header: {}", path.string(), format_name(format),
                     first_line(e.GetDescription()));
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    // ITK's readers let some standard exceptions through on damaged headers (MetaIO formats a
    // file-name pattern into a std::string: std::length_error; found by fuzzing).
    throw data_error("'{}': cannot read the {} header: {}", path.string(), format_name(format),
                     e.what());
  }
  return io;
}

template <typename Src, typename Dst>
void copy_as(const void* src, Dst* dst, std::size_t count) {
  const Src* s = static_cast<const Src*>(src);
  for (std::size_t i = 0; i < count; ++i) dst[i] = static_cast<Dst>(s[i]);
}

// Converts `count` components of the file's type into Dst (a widening or identical conversion).
template <typename Dst>
void copy_components(Component component, const void* src, Dst* dst, std::size_t count) {
  switch (component) {
    case Component::UCHAR: return copy_as<std::uint8_t>(src, dst, count);
    case Component::CHAR: return copy_as<std::int8_t>(src, dst, count);
    case Component::SHORT: return copy_as<std::int16_t>(src, dst, count);
    case Component::USHORT: return copy_as<std::uint16_t>(src, dst, count);
    case Component::INT: return copy_as<std::int32_t>(src, dst, count);
    case Component::UINT: return copy_as<std::uint32_t>(src, dst, count);
    case Component::LONG: return copy_as<long>(src, dst, count);
    case Component::ULONG: return copy_as<unsigned long>(src, dst, count);
    case Component::LONGLONG: return copy_as<long long>(src, dst, count);
    case Component::ULONGLONG: return copy_as<unsigned long long>(src, dst, count);
    case Component::FLOAT: return copy_as<float>(src, dst, count);
    case Component::DOUBLE: return copy_as<double>(src, dst, count);
    default: break;
  }
  throw data_error("unsupported voxel component type");
}

// Reads all voxels of an opened file into raw bytes of the file's component type.
std::vector<char> read_voxel_bytes(itk::ImageIOBase* io, const fs::path& path) {
  const unsigned dims = io->GetNumberOfDimensions();
  itk::ImageIORegion region(dims);
  for (unsigned a = 0; a < dims; ++a) {
    region.SetIndex(a, 0);
    region.SetSize(a, io->GetDimensions(a));
  }
  io->SetIORegion(region);
  // The file must hold what its header promises before the buffer is allocated: a damaged header
  // can claim gigabytes, and a 514-byte .nii once took 24 GB before anything complained.
  const std::uint64_t data_bytes = io->GetImageSizeInBytes();
  const std::string name = lower_case_name(path);
  if (name.size() > 7 && name.compare(name.size() - 7, 7, ".nii.gz") == 0) {
    check_nifti_gz_complete(path, data_bytes);
  } else if (name.size() > 4 && name.compare(name.size() - 4, 4, ".nii") == 0) {
    check_nifti_complete(path, data_bytes);
  } else if (detect_image_format(path) == ImageFormat::kMetaImage) {
    std::vector<std::uint64_t> dim_sizes(dims);
    for (unsigned a = 0; a < dims; ++a) dim_sizes[a] = io->GetDimensions(a);
    check_metaimage_complete(path, data_bytes, dim_sizes);
  }
  std::vector<char> bytes(data_bytes);
  try {
    io->Read(bytes.data());
  } catch (const itk::ExceptionObject& e) {
    throw data_error("'{}': cannot read the voxel data (truncated or corrupt file?): {}",
                     path.string(), first_line(e.GetDescription()));
  } catch (const std::exception& e) {
    // As in open_header: a damaged MetaImage data-file pattern ends in std::length_error.
    throw data_error("'{}': cannot read the voxel data (corrupt header?): {}", path.string(),
                     e.what());
  }
  // ITK 5.2 reads NIfTI NaN/Inf as 0: put them back so that they are reported, not hidden.
  if (detect_image_format(path) == ImageFormat::kNifti) {
    restore_nifti_non_finite(path, bytes, io->GetComponentSize(), io->GetNumberOfComponents());
  }
  return bytes;
}

}  // namespace

ImageInfo itk_read_info(const fs::path& path) {
  ImageInfo info;
  info.format = detect_image_format(path);
  itk::ImageIOBase::Pointer io = open_header(path, info.format);

  unsigned dims = io->GetNumberOfDimensions();
  // Trailing axes of length 1 beyond the third (a 4D NIfTI with one time point) carry nothing.
  while (dims > 3 && io->GetDimensions(dims - 1) == 1) --dims;
  info.file_dimension = static_cast<int>(dims);
  info.components = static_cast<int>(io->GetNumberOfComponents());
  info.file_component_type = component_name(io->GetComponentType());
  info.pixel_type = modir_type_for(io->GetComponentType(), path);

  Geometry& g = info.geometry;
  const unsigned spatial = std::min(dims, 3u);
  for (unsigned a = 0; a < spatial; ++a) {
    g.size[a] = static_cast<std::int64_t>(io->GetDimensions(a));
    g.spacing[a] = io->GetSpacing(a);
    g.origin[a] = io->GetOrigin(a);
    const std::vector<double> column = io->GetDirection(a);
    Vec3d axis{0, 0, 0};
    for (unsigned r = 0; r < std::min<std::size_t>(column.size(), 3); ++r) axis[r] = column[r];
    for (int r = 0; r < 3; ++r) g.direction(r, static_cast<int>(a)) = axis[r];
  }
  if (spatial == 2) {
    g.size[2] = 1;
    g.direction(0, 2) = 0;
    g.direction(1, 2) = 0;
    g.direction(2, 2) = 1;
    info.notes.push_back("2D image: read as a volume with one slice of spacing 1 mm");
  }
  if (info.format == ImageFormat::kNifti) {
    info.notes.push_back("NIfTI: RAS header converted to LPS (ITK convention)");
  }
  if (info.file_component_type != pixel_type_name(info.pixel_type)) {
    info.notes.push_back(fmt::format("voxels stored as {} are read as {}", info.file_component_type,
                                     pixel_type_name(info.pixel_type)));
  }
  return info;
}

AnyImage itk_read_scalar(const fs::path& path, const ImageInfo& info) {
  itk::ImageIOBase::Pointer io = open_header(path, info.format);
  const std::vector<char> bytes = read_voxel_bytes(io.GetPointer(), path);
  const std::size_t count = static_cast<std::size_t>(info.geometry.voxel_count());
  if (bytes.size() < count * io->GetComponentSize()) {
    throw data_error("'{}': voxel data is shorter than the header says", path.string());
  }
  auto fill = [&](auto image) -> AnyImage {
    copy_components(io->GetComponentType(), bytes.data(), image.data(), count);
    return image;
  };
  switch (info.pixel_type) {
    case PixelType::kUInt8: return fill(Image<std::uint8_t>(info.geometry));
    case PixelType::kInt16: return fill(Image<std::int16_t>(info.geometry));
    case PixelType::kUInt16: return fill(Image<std::uint16_t>(info.geometry));
    case PixelType::kInt32: return fill(Image<std::int32_t>(info.geometry));
    case PixelType::kFloat32: return fill(Image<float>(info.geometry));
    case PixelType::kFloat64: return fill(Image<double>(info.geometry));
  }
  throw data_error("'{}': unsupported voxel type", path.string());
}

DisplacementField itk_read_vector(const fs::path& path, const ImageInfo& info) {
  itk::ImageIOBase::Pointer io = open_header(path, info.format);
  const std::vector<char> bytes = read_voxel_bytes(io.GetPointer(), path);
  DisplacementField field(info.geometry);
  static_assert(sizeof(Vec3f) == 3 * sizeof(float), "Vec3f must be three packed floats");
  copy_components(io->GetComponentType(), bytes.data(), reinterpret_cast<float*>(field.data()),
                  static_cast<std::size_t>(info.geometry.voxel_count()) * 3);
  return field;
}

void itk_write(const ImageView& image, const fs::path& path, bool compress) {
  itk::ImageIOBase::Pointer io = make_image_io(output_image_format(path));
  const Geometry& g = image.geometry;
  io->SetNumberOfDimensions(3);
  itk::ImageIORegion region(3);
  for (unsigned a = 0; a < 3; ++a) {
    io->SetDimensions(a, static_cast<itk::SizeValueType>(g.size[a]));
    io->SetSpacing(a, g.spacing[a]);
    io->SetOrigin(a, g.origin[a]);
    const Vec3d column = g.direction.column(static_cast<int>(a));
    io->SetDirection(a, std::vector<double>{column.x, column.y, column.z});
    region.SetIndex(a, 0);
    region.SetSize(a, static_cast<itk::SizeValueType>(g.size[a]));
  }
  io->SetComponentType(itk_component_for(image.component_type));
  io->SetNumberOfComponents(static_cast<unsigned>(image.components));
  io->SetPixelType(image.components == 1 ? itk::IOPixelEnum::SCALAR : itk::IOPixelEnum::VECTOR);
  io->SetUseCompression(compress);
  io->SetFileName(path.string());
  io->SetIORegion(region);
  try {
    io->Write(image.data);
  } catch (const itk::ExceptionObject& e) {
    throw data_error("cannot write '{}': {}", path.string(), first_line(e.GetDescription()));
  }
}

}  // namespace modir::io::detail
