#include "input_kind.h"

#include <system_error>

#include "modir/core/error.h"
#include "modir/io/image_format.h"
#include "modir/io/deformable_registration.h"
#include "modir/io/rtstruct.h"

namespace modir::cli {

namespace fs = std::filesystem;

InputKind classify_input(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw data_error("'{}' does not exist; check the path", path.string());
  if (fs::is_directory(path, ec)) return InputKind::kDicomFolder;
  const std::string name = io::lower_case_name(path);
  auto ends_with = [&](const char* suffix) {
    const std::string s(suffix);
    return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
  };
  if (ends_with(".csv") || ends_with(".txt") || ends_with(".json")) return InputKind::kPoints;
  const io::ImageFormat format = io::detect_image_format(path);
  if (format == io::ImageFormat::kNumpy) return InputKind::kNumpy;
  if (format == io::ImageFormat::kDicom && io::is_rtstruct(path)) return InputKind::kRtStruct;
  if (format == io::ImageFormat::kDicom && io::is_deformable_registration(path))
    return InputKind::kDeformableRegistration;
  return InputKind::kImage;
}

}  // namespace modir::cli
