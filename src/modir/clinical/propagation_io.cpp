#include "modir/clinical/propagation_io.h"

#include <algorithm>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "modir/core/error.h"
#include "modir/core/log.h"
#include "modir/core/sha256.h"
#include "modir/core/version.h"
#include "modir/io/contour_raster.h"
#include "modir/io/image_io.h"
#include "modir/io/organ_names.h"
#include "modir/io/rtstruct_labels.h"
#include "modir/io/rtstruct_write.h"
#include "modir/register/registration_config.h"

namespace modir::clinical {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The series of a DICOM folder a scan is read from (none for an image file). `fallback_uid` picks
// it in a folder of several when none was chosen and the folder holds it.
std::optional<io::DicomSeries> choose_series(const std::string& path, std::string series_uid,
                                             const std::string& option,
                                             const std::string& fallback_uid) {
  if (!fs::is_directory(path)) return std::nullopt;
  const io::DicomScan found = io::scan_dicom(path);
  const bool holds_fallback =
      std::any_of(found.series.begin(), found.series.end(),
                  [&](const io::DicomSeries& s) { return s.series_uid == fallback_uid; });
  if (series_uid.empty() && found.series.size() > 1 && holds_fallback) series_uid = fallback_uid;
  return io::select_series(found, series_uid, path, option);
}

io::ReadOptions read_options(const std::optional<io::DicomSeries>& series) {
  io::ReadOptions read;
  if (series) read.dicom_series_uid = series->series_uid;
  return read;
}

}  // namespace

Scan read_scan(const std::string& path, std::string series_uid, const std::string& option,
               const std::string& fallback_uid) {
  Scan scan;
  scan.series = choose_series(path, std::move(series_uid), option, fallback_uid);
  scan.image = io::read_image_as<float>(path, read_options(scan.series));
  return scan;
}

Geometry scan_geometry(const std::string& path, std::string series_uid, const std::string& option,
                       const std::string& fallback_uid) {
  const auto series = choose_series(path, std::move(series_uid), option, fallback_uid);
  return io::read_image_info(path, read_options(series)).geometry;
}

void add_planning_structures(const io::RtStructureSet& set, const Scan& planning,
                             PropagationInputs& inputs, Progress& progress) {
  const Geometry& pg = planning.image.geometry();
  progress.begin_phase("rasterising", static_cast<std::int64_t>(set.structures.size()));
  for (const io::RtStructure& s : set.structures) {
    io::RasterizedLabels r = planning.series
                                 ? io::rasterize_rtstruct(set, *planning.series, pg, {s.name})
                                 : io::rasterize_structures(set, {s.name}, pg);
    for (const std::string& w : r.warnings) warn("{}", w);
    Image<std::uint8_t> mask(pg, 0);
    for (std::int64_t v = 0; v < mask.voxel_count(); ++v) mask.data()[v] = r.labels.data()[v] != 0;
    inputs.structures.push_back(s);
    inputs.planning_masks.push_back(std::move(mask));
    progress.advance();
  }
  progress.end_phase();
}

std::vector<io::RtStructure> propagated_structures(const PropagationResult& result) {
  std::vector<io::RtStructure> out;
  for (const PropagatedStructure& s : result.structures) {
    io::RtStructure r = s.structure;
    // The fraction back in [0, 1], one structure at a time: the iso-line at 0.5 between
    // quantised values lies within 1/255 of a voxel of the float one.
    Image<float> fraction(s.fraction.geometry());
    for (std::int64_t v = 0; v < fraction.voxel_count(); ++v)
      fraction.data()[v] = float(s.fraction.data()[v]) / 255.0f;
    r.contours = io::mask_contours(fraction);
    if (r.contours.empty()) warn("structure '{}' has no voxel on the daily scan", r.name);
    out.push_back(std::move(r));
  }
  return out;
}

io::RtStructureSetText propagated_set_text(const io::RtStructureSet& set,
                                           const std::string& structures_file, const Scan& planning,
                                           const std::string& planning_path,
                                           const io::DicomSeries& daily, const std::string& how) {
  io::RtStructureSetText text;
  text.label = "PROPAGATED";
  text.name = ("from " + set.label).substr(0, 64);
  text.description = fmt::format(
      "Propagated by modir {} from structure set '{}' ({}) on series {} to series {}: {}", kVersion,
      set.label, fs::path(structures_file).filename().string(),
      planning.series ? planning.series->series_uid : planning_path, daily.series_uid, how);
  return text;
}

std::optional<fs::path> propagation_folder_of(const reg::Front& front) {
  const fs::path folder = fs::absolute(front.dir).lexically_normal().parent_path();
  std::ifstream stream(folder / "report.json");
  if (!stream) return std::nullopt;
  const json report = json::parse(stream, nullptr, false);
  if (report.is_discarded() || report.value("command", std::string()) != "propagate")
    return std::nullopt;
  return folder;
}

namespace {

// An input of the propagation as its report.json recorded it, checked to be the same bytes.
std::string recorded_input(const json& report, const fs::path& folder, const std::string& name) {
  const json inputs = report.value("inputs", json::object());
  if (!inputs.contains(name))
    throw data_error(
        "{}/report.json records no checksum of the {} input (a propagation by an "
        "older modir): run modir propagate again with --index to write a solution's "
        "structures",
        folder.string(), name);
  const std::string path = inputs.at(name).value("path", std::string());
  std::error_code ec;
  if (!fs::exists(path, ec))
    throw data_error(
        "the {} input {} named in {}/report.json does not exist (paths are as given "
        "to 'modir propagate', relative to the folder it ran in)",
        name, path, folder.string());
  if (sha256_of_path(path) != inputs.at(name).value("sha256", std::string()))
    throw data_error(
        "the {} input {} has changed since the propagation; restore it to write a "
        "solution's structures",
        name, path);
  return path;
}

}  // namespace

bool write_solution_rtstruct(const fs::path& folder, const reg::Front& front,
                             const reg::RegistrationResult& solution, const fs::path& out) {
  std::ifstream stream(folder / "report.json");
  const json report = json::parse(stream, nullptr, false);
  const std::string structures = recorded_input(report, folder, "structures");
  const std::string planning_path = recorded_input(report, folder, "planning");
  const std::string daily_path = recorded_input(report, folder, "daily");
  const auto series_of = [&](const char* name) {
    const auto it = front.inputs.find(name);
    return it != front.inputs.end() ? it->second.series : std::string();
  };
  const io::RtStructureSet set = io::read_rtstruct(structures);
  const Scan planning =
      read_scan(planning_path, series_of("moving"), "--planning-series", set.referenced_series_uid);
  const Scan daily = read_scan(daily_path, series_of("fixed"), "--daily-series");
  if (!daily.series) return false;

  PropagationInputs inputs;
  Progress quiet(ProgressStyle::kQuiet);
  add_planning_structures(set, planning, inputs, quiet);
  inputs.planning = planning.image;
  inputs.daily = daily.image;
  // The registration is the solution's: nothing is registered again.
  const PropagationResult result =
      propagate(inputs, reg::RegistrationConfig{}, io::default_organ_names(), {},
                [&](const reg::RegistrationInputs&) { return solution; });
  const io::RtStructureSetText text =
      propagated_set_text(set, structures, planning, planning_path, *daily.series,
                          "a solution of a Pareto front, chosen by its number");
  io::write_rtstruct(propagated_structures(result), *daily.series, text, out);
  return true;
}

}  // namespace modir::clinical
