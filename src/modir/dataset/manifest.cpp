#include "modir/dataset/manifest.h"

#include <map>
#include <utility>

#include "modir/core/error.h"
#include "modir/io/csv_table.h"

namespace modir::dataset {

namespace fs = std::filesystem;

fs::path resolve_path(const fs::path& folder, const std::string& path) {
  const fs::path p(path);
  return p.is_absolute() ? p : folder / p;
}

Manifest read_manifest(const fs::path& file, bool check_files) {
  const io::CsvTable table = io::read_csv_table(file);
  io::require_columns(table, kManifestColumns, "the manifest");
  const int patient = table.column("patient_id"), scan = table.column("scan_id"),
            image = table.column("image"), labels = table.column("labels");
  const fs::path folder = file.parent_path();
  Manifest manifest;
  manifest.file = file;
  std::map<std::pair<std::string, std::string>, int> seen;
  std::vector<std::string> missing;
  std::size_t missing_count = 0;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    ScanEntry entry;
    entry.line = table.line_numbers[r];
    entry.patient_id = row[static_cast<std::size_t>(patient)];
    entry.scan_id = row[static_cast<std::size_t>(scan)];
    entry.image_as_written = row[static_cast<std::size_t>(image)];
    entry.labels_as_written = row[static_cast<std::size_t>(labels)];
    if (entry.patient_id.empty() || entry.scan_id.empty() || entry.image_as_written.empty()) {
      throw data_error("'{}' line {}: patient_id, scan_id and image must not be empty",
                       file.string(), entry.line);
    }
    const auto [it, inserted] =
        seen.emplace(std::pair(entry.patient_id, entry.scan_id), entry.line);
    if (!inserted) {
      throw data_error("'{}' line {}: patient {} scan {} is listed already on line {}",
                       file.string(), entry.line, entry.patient_id, entry.scan_id, it->second);
    }
    entry.image = resolve_path(folder, entry.image_as_written);
    if (!entry.labels_as_written.empty())
      entry.labels = resolve_path(folder, entry.labels_as_written);
    if (check_files) {
      for (const fs::path& p : {entry.image, entry.labels}) {
        std::error_code ec;
        if (p.empty() || fs::exists(p, ec)) continue;
        if (++missing_count <= 3)
          missing.push_back(fmt::format("{} (line {})", p.string(), entry.line));
      }
    }
    manifest.scans.push_back(std::move(entry));
  }
  if (missing_count > 0) {
    std::string list;
    for (const std::string& m : missing) list += (list.empty() ? "" : ", ") + m;
    throw data_error(
        "{} file(s) named in the manifest '{}' do not exist: {}{}; paths are relative to the "
        "manifest's folder",
        missing_count, file.string(), list, missing_count > missing.size() ? ", ..." : "");
  }
  if (manifest.scans.empty()) throw data_error("the manifest '{}' lists no scans", file.string());
  return manifest;
}

}  // namespace modir::dataset
