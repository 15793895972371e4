#include "modir/io/png_io.h"

#include <itkPNGImageIO.h>

#include "modir/core/error.h"
#include "modir/io/output_file.h"

namespace modir::io {

namespace fs = std::filesystem;

void write_png(const RgbPicture& picture, const fs::path& path) {
  if (picture.width <= 0 || picture.height <= 0 ||
      picture.rgb.size() != 3u * static_cast<std::size_t>(picture.width) * picture.height) {
    throw data_error("cannot write '{}': the picture is empty or inconsistent", path.string());
  }
  AtomicOutput output(path);
  auto png = itk::PNGImageIO::New();
  png->SetNumberOfDimensions(2);
  png->SetDimensions(0, static_cast<unsigned>(picture.width));
  png->SetDimensions(1, static_cast<unsigned>(picture.height));
  png->SetComponentType(itk::IOComponentEnum::UCHAR);
  png->SetNumberOfComponents(3);
  png->SetPixelType(itk::IOPixelEnum::RGB);
  png->SetFileName(output.temp_path().string());
  itk::ImageIORegion region(2);
  region.SetSize(0, static_cast<itk::SizeValueType>(picture.width));
  region.SetSize(1, static_cast<itk::SizeValueType>(picture.height));
  png->SetIORegion(region);
  try {
    png->Write(picture.rgb.data());
  } catch (const itk::ExceptionObject& e) {
    throw data_error("cannot write '{}': {}", path.string(), e.GetDescription());
  }
  output.commit();
}

RgbPicture read_png(const fs::path& path) {
  auto png = itk::PNGImageIO::New();
  png->SetFileName(path.string());
  RgbPicture picture;
  try {
    if (!png->CanReadFile(path.string().c_str()))
      throw data_error("'{}' is not a PNG file", path.string());
    png->ReadImageInformation();
    if (png->GetNumberOfDimensions() != 2 ||
        png->GetComponentType() != itk::IOComponentEnum::UCHAR) {
      throw data_error("'{}': only 8-bit 2D PNG files are read", path.string());
    }
    picture.width = static_cast<int>(png->GetDimensions(0));
    picture.height = static_cast<int>(png->GetDimensions(1));
    const unsigned components = png->GetNumberOfComponents();
    std::vector<std::uint8_t> raw(png->GetImageSizeInBytes());
    itk::ImageIORegion region(2);
    region.SetSize(0, png->GetDimensions(0));
    region.SetSize(1, png->GetDimensions(1));
    png->SetIORegion(region);
    png->Read(raw.data());
    picture.rgb.resize(3u * static_cast<std::size_t>(picture.width) * picture.height);
    for (std::size_t p = 0; p < static_cast<std::size_t>(picture.width) * picture.height; ++p) {
      for (unsigned c = 0; c < 3; ++c)
        picture.rgb[3 * p + c] = raw[components * p + (components >= 3 ? c : 0)];
    }
  } catch (const itk::ExceptionObject& e) {
    throw data_error("cannot read '{}': {}", path.string(), e.GetDescription());
  }
  return picture;
}

}  // namespace modir::io
