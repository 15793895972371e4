#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace modir::dataset {

/// One scan of a manifest: who, which scan, and where its image and label map are.
struct ScanEntry {
  std::string patient_id;
  std::string scan_id;
  std::filesystem::path image;   ///< resolved: absolute, or relative to the manifest's folder
  std::filesystem::path labels;  ///< empty when the row has no label map
  std::string image_as_written;  ///< the path as the file has it, for messages and split files
  std::string labels_as_written;
  int line = 0;  ///< line in the manifest
};

/// A manifest CSV: columns patient_id, scan_id, image, labels (others are ignored), one scan per
/// row, as `modir phantom --cohort` writes it. Relative paths are relative to the folder of the
/// manifest. The labels cell may be empty (no label checks for that scan).
struct Manifest {
  std::filesystem::path file;
  std::vector<ScanEntry> scans;
};

inline const std::vector<std::string> kManifestColumns{"patient_id", "scan_id", "image", "labels"};

/// Reads and validates a manifest: every column present, no empty ids, no scan listed twice, and
/// (with `check_files`) every image and label file present. Each problem is a data error naming
/// the manifest, the line and what to do.
Manifest read_manifest(const std::filesystem::path& file, bool check_files = true);

/// A path resolved against a folder unless it is absolute.
std::filesystem::path resolve_path(const std::filesystem::path& folder, const std::string& path);

}  // namespace modir::dataset
