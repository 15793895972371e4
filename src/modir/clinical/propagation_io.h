#pragma once

// What `modir propagate` reads and writes around the propagation itself, shared with the
// commands that rebuild one solution of a propagate front (`front export`, `review`'s choice).

#include <filesystem>
#include <optional>
#include <string>

#include "modir/clinical/propagation.h"
#include "modir/core/progress.h"
#include "modir/io/dicom_series.h"
#include "modir/io/rtstruct.h"
#include "modir/io/rtstruct_write.h"
#include "modir/register/front_file.h"
#include "modir/register/registration.h"

namespace modir::clinical {

/// A scan given as a DICOM folder (with its series) or as an image file.
struct Scan {
  Image<float> image;
  std::optional<io::DicomSeries> series;
};

/// Reads a scan. `fallback_uid` picks the series in a folder of several when none was chosen
/// and the folder holds it; `option` is the option that chooses one, named when the choice is
/// needed.
Scan read_scan(const std::string& path, std::string series_uid, const std::string& option,
               const std::string& fallback_uid = {});

/// The grid read_scan would give, from the headers alone (the same choice of series).
Geometry scan_geometry(const std::string& path, std::string series_uid, const std::string& option,
                       const std::string& fallback_uid = {});

/// Every structure of `set` rasterised on its own on the planning grid, into `inputs`
/// (structures and planning masks); rasterising warnings go to stderr.
void add_planning_structures(const io::RtStructureSet& set, const Scan& planning,
                             PropagationInputs& inputs, Progress& progress);

/// The propagated structures with their contours on the daily grid, in structure order, as an
/// RT Structure Set holds them (a warning for each one left without a voxel).
std::vector<io::RtStructure> propagated_structures(const PropagationResult& result);

/// The text of a propagated RT Structure Set: label PROPAGATED, named after the planning set, and
/// described as carried by modir from that set (`structures_file`) on the planning series (or
/// file) to the daily series, followed by `how` (which registration carried it).
io::RtStructureSetText propagated_set_text(const io::RtStructureSet& set,
                                           const std::string& structures_file, const Scan& planning,
                                           const std::string& planning_path,
                                           const io::DicomSeries& daily, const std::string& how);

/// The `modir propagate` folder a front lies in (DIR for DIR/front), if it does.
std::optional<std::filesystem::path> propagation_folder_of(const reg::Front& front);

/// Carries the planning structures that the propagation in `folder` read with `solution` (one
/// of its front's registrations) and writes them as an RT Structure Set on the daily series to
/// `out`. The scans and the structure set are read again from where the run's report.json
/// recorded them, each checked against its recorded sha256. False (and nothing written) when the
/// daily scan is not a DICOM series.
bool write_solution_rtstruct(const std::filesystem::path& folder, const reg::Front& front,
                             const reg::RegistrationResult& solution,
                             const std::filesystem::path& out);

}  // namespace modir::clinical
