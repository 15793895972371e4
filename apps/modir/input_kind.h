#pragma once

#include <filesystem>

namespace modir::cli {

/// What a path given on the command line holds, decided from the file system, the extension and,
/// for DICOM files, the SOP class.
enum class InputKind { kImage, kDicomFolder, kRtStruct, kDeformableRegistration, kPoints, kNumpy };

/// Throws a data error for a path that does not exist.
InputKind classify_input(const std::filesystem::path& path);

}  // namespace modir::cli
