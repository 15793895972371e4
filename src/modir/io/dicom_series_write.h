#pragma once

#include <filesystem>
#include <string>

#include "modir/core/image.h"
#include "modir/io/dicom_series.h"

namespace modir::io {

/// Who and what a written series is about. The defaults describe an anonymous phantom patient.
struct DicomSeriesText {
  std::string patient_name = "Anonymous";
  std::string patient_id = "MODIR-ANON";
  std::string study_description = "modir";
  std::string series_description;
  std::string study_uid;               ///< empty: a new one
  std::string frame_of_reference_uid;  ///< empty: a new one
  int series_number = 1;
};

/// Writes `image` as a DICOM CT series into the new folder `folder`, one CT Image Storage file
/// per slice (CT_0001.dcm, ...): SOP Common, anonymous Patient (only the name and ID given), General
/// Study and Series, Frame of Reference, General Equipment, Image Plane (ImagePositionPatient of
/// each slice's first voxel, ImageOrientationPatient from the grid's direction, PixelSpacing,
/// SliceThickness), Image Pixel (signed 16 bit, MONOCHROME2) and CT Image (RescaleSlope and
/// RescaleIntercept). Values are stored as round(value) when every value fits in 16 bits (CT in
/// HU: at most 0.5 HU off), else scaled to the full 16-bit range. A grid whose third axis points
/// against the slices' normal (left-handed) is written as it is: readers sort slices by position,
/// so they rebuild the same voxels in space on a right-handed grid. The folder must not exist yet
/// (or be empty); it appears complete or not at all.
/// Returns the series as scan_dicom would find it.
DicomSeries write_dicom_series(const Image<float>& image, const std::filesystem::path& folder,
                               const DicomSeriesText& text = {});

}  // namespace modir::io
