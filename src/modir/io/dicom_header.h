#pragma once

// Internal to the DICOM image reader (dicom_header.cpp, dicom_series.cpp, dicom_pixels.cpp): the
// header fields of one DICOM file that placing and decoding a slice needs, in plain types so that
// DCMTK stays inside dicom_header.cpp and dicom_pixels.cpp. Not part of the public io API.

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "modir/core/geometry.h"
#include "modir/core/vec.h"
#include "modir/io/dicom_series.h"

namespace modir::io::detail {

/// What one DICOM file says about itself, read without its pixel data.
struct DicomSliceHeader {
  std::filesystem::path file;
  std::string sop_class_uid;
  std::string sop_instance_uid;
  std::string series_uid;
  std::string study_uid;
  std::string frame_of_reference_uid;
  std::string modality;
  std::string description;
  std::optional<int> instance_number;

  // Geometry; absent when the tag is missing or does not hold finite numbers.
  std::optional<std::array<double, 6>> orientation;    ///< row cosine, then column cosine
  std::optional<Vec3d> position;                       ///< ImagePositionPatient, LPS mm
  std::optional<std::array<double, 2>> pixel_spacing;  ///< between rows (y), between columns (x)
  double slice_thickness = 0.0;                        ///< 0 when absent
  double spacing_between_slices = 0.0;                 ///< 0 when absent
  int rows = 0;
  int columns = 0;
  int frames = 1;

  // Pixel format.
  int samples_per_pixel = 1;
  int bits_allocated = 0;
  int bits_stored = 0;
  int high_bit = 0;
  int pixel_representation = 0;  ///< 0 unsigned, 1 two's complement
  std::string photometric;
  double rescale_slope = 1.0;
  double rescale_intercept = 0.0;
  std::string transfer_syntax_uid;
};

/// Result of looking at one file: not DICOM at all, DICOM but unreadable, or a header.
struct HeaderRead {
  enum class Status { kNotDicom, kDamaged, kOk };
  Status status = Status::kNotDicom;
  std::string problem;  ///< why a damaged file could not be read
  DicomSliceHeader header;
};

/// Turns DCMTK's own log output off (once per process): every problem it reports reaches the user
/// as a modir error or warning instead, and its notices ("PixelData encountered, skipping rest of
/// dataset" for each header-only read) would bury them.
void quiet_dcmtk_log();

/// Reads the header of one file, stopping before the pixel data. Never throws for bad content.
HeaderRead read_dicom_header(const std::filesystem::path& file);

/// True for objects that are slices of an image volume (CT, MR, PT, ...): they have an image
/// matrix and are not one of the RT or derived objects that carry pixels of another kind.
bool is_volume_slice(const DicomSliceHeader& header);

/// "an RT Structure Set", "an RT Plan", ... for messages about non-image objects.
std::string describe_object(const std::string& modality, const std::string& sop_class_uid);

/// A series as scan_dicom returns it, with the headers of its sorted slices.
struct ScannedSeries {
  DicomSeries series;
  std::vector<DicomSliceHeader> slices;
};

/// scan_dicom with the slice headers kept, so that reading needs no second header pass.
struct DetailedScan {
  std::vector<ScannedSeries> series;
  std::vector<DicomObject> other_objects;
};

DetailedScan scan_dicom_detailed(const std::filesystem::path& folder_or_file);

/// Sorts slices by their position along the normal of the first slice's image plane (then by
/// InstanceNumber and file name, so that equal positions keep a stable order).
void sort_slices(std::vector<DicomSliceHeader>& slices);

/// A series geometry with the facts about how it was derived.
struct SeriesGeometry {
  Geometry geometry;
  std::vector<std::string> notes;
};

/// The geometry of sorted slices; throws a data error for stacks that are not a regular grid.
SeriesGeometry geometry_from_slices(const std::vector<DicomSliceHeader>& sorted_slices);

}  // namespace modir::io::detail
