#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "modir/core/geometry.h"

namespace modir::io {

/// One image series found in a DICOM folder, its slices sorted along the slice normal.
struct DicomSeries {
  std::string series_uid;
  std::string study_uid;
  std::string frame_of_reference_uid;
  std::string modality;     ///< e.g. "CT", "MR"
  std::string description;  ///< SeriesDescription, may be empty
  /// Slice files in order of increasing position along the normal of the image plane.
  std::vector<std::filesystem::path> files;
  /// SOPInstanceUID of each slice, in the same order as `files`.
  std::vector<std::string> sop_instance_uids;
};

/// A DICOM object that is not part of an image series (RTSTRUCT, RTPLAN, RTDOSE, ...).
struct DicomObject {
  std::filesystem::path file;
  std::string modality;
  std::string sop_class_uid;
  std::string sop_instance_uid;
};

/// What a folder (or a single file) holds: image series and other DICOM objects.
struct DicomScan {
  std::vector<DicomSeries> series;
  std::vector<DicomObject> other_objects;
};

/// Scans a folder (not recursively) or a single DICOM file. Files that are not DICOM are ignored.
/// Throws a data error for a folder with no DICOM files at all.
DicomScan scan_dicom(const std::filesystem::path& folder_or_file);

/// Picks the series with this UID, or the only series when `series_uid` is empty. Throws a data
/// error when there is no image series, and a usage error listing every series (UID, description,
/// slice count) when there are several and none was chosen, or the chosen UID is absent.
/// `option` is the command-line option that chooses a series, for that error.
const DicomSeries& select_series(const DicomScan& scan, const std::string& series_uid,
                                 const std::filesystem::path& where,
                                 const std::string& option = "--series");

/// The geometry of a series from its headers alone (ImagePositionPatient, ImageOrientationPatient,
/// PixelSpacing), with the slice spacing from the sorted positions. Throws a data error when the
/// slices are not evenly spaced (a missing slice), not parallel, or the series is gantry-tilted.
Geometry dicom_series_geometry(const DicomSeries& series);

}  // namespace modir::io
