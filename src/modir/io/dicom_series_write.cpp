// A volume as a DICOM CT series, one classic CT Image Storage file per slice, with DCMTK's
// dcmdata. Enough for planning systems, plastimatch and modir's own reader to place every voxel.

#include "modir/io/dicom_series_write.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <limits>
#include <vector>

#include <fmt/format.h>

#include "modir/core/error.h"
#include "modir/core/version.h"
#include "modir/io/dicom_write_support.h"
#include "modir/io/output_file.h"
#include "modir/io/rtstruct_write.h"

namespace modir::io {

namespace fs = std::filesystem;
using detail::decimal;
using detail::new_item;
using detail::put;

namespace {

void put16(DcmItem& item, const DcmTagKey& tag, Uint16 value) {
  if (item.putAndInsertUint16(tag, value).bad())
    throw data_error("cannot set DICOM attribute {}", DcmTag(tag).getTagName());
}

// How stored int16 values map to the image's: value = slope * stored + intercept.
struct Rescale {
  double slope = 1.0, intercept = 0.0;
};

Rescale choose_rescale(const Image<float>& image) {
  float lo = std::numeric_limits<float>::max(), hi = std::numeric_limits<float>::lowest();
  for (const float v : image.buffer()) {
    if (!std::isfinite(v)) {
      throw data_error("the image holds NaN or infinite values, which DICOM cannot store");
    }
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (lo >= -32768.0f && hi <= 32767.0f) return {};  // HU as they are, rounded
  Rescale r;
  r.intercept = (double(lo) + double(hi)) / 2.0;
  r.slope = std::max((double(hi) - double(lo)) / 65534.0, 1e-12);
  return r;
}

}  // namespace

DicomSeries write_dicom_series(const Image<float>& image, const fs::path& folder,
                               const DicomSeriesText& text) {
  const Geometry& g = image.geometry();
  g.validate(folder.string());
  std::error_code ec;
  if (fs::exists(folder, ec) && !(fs::is_directory(folder, ec) && fs::is_empty(folder, ec))) {
    throw usage_error("'{}' exists and is not an empty folder; a DICOM series needs a new folder",
                      folder.string());
  }
  if (g.size[0] > 65535 || g.size[1] > 65535) {
    throw data_error("slices of {} x {} voxels are too large for DICOM", g.size[0], g.size[1]);
  }
  const Rescale rescale = choose_rescale(image);
  const detail::DicomNow created = detail::dicom_now();
  DicomSeries series;
  series.study_uid = text.study_uid.empty() ? new_dicom_uid() : text.study_uid;
  series.series_uid = new_dicom_uid();
  series.frame_of_reference_uid =
      text.frame_of_reference_uid.empty() ? new_dicom_uid() : text.frame_of_reference_uid;
  series.modality = "CT";
  series.description = text.series_description;

  // Row direction (along x), column direction (along y), and where each slice's first voxel is.
  const Vec3d row = g.direction.column(0), column = g.direction.column(1);
  const std::string orientation =
      fmt::format("{}\\{}\\{}\\{}\\{}\\{}", decimal(row.x), decimal(row.y), decimal(row.z),
                  decimal(column.x), decimal(column.y), decimal(column.z));

  if (!fs::exists(folder.parent_path().empty() ? fs::path(".") : folder.parent_path())) {
    throw data_error("cannot write '{}': its parent folder does not exist", folder.string());
  }
  if (fs::exists(folder)) fs::remove(folder);  // empty, checked above; replaced atomically below
  AtomicOutput output(folder);
  fs::create_directory(output.temp_path());
  const std::int64_t nx = g.size[0], ny = g.size[1];
  std::vector<Sint16> pixels(static_cast<std::size_t>(nx * ny));
  for (std::int64_t z = 0; z < g.size[2]; ++z) {
    DcmFileFormat file;
    DcmDataset& d = *file.getDataset();
    put(d, DCM_SpecificCharacterSet, "ISO_IR 100");
    put(d, DCM_ImageType, "DERIVED\\SECONDARY\\AXIAL");
    put(d, DCM_SOPClassUID, UID_CTImageStorage);
    put(d, DCM_SOPInstanceUID, new_dicom_uid());
    put(d, DCM_StudyDate, created.date);
    put(d, DCM_SeriesDate, created.date);
    put(d, DCM_StudyTime, created.time);
    put(d, DCM_SeriesTime, created.time);
    put(d, DCM_AccessionNumber, "");
    put(d, DCM_Modality, "CT");
    put(d, DCM_Manufacturer, "modir");
    put(d, DCM_ManufacturerModelName, "modir");
    put(d, DCM_SoftwareVersions, kVersion);
    put(d, DCM_ReferringPhysicianName, "");
    put(d, DCM_StudyDescription, text.study_description);
    if (!text.series_description.empty()) put(d, DCM_SeriesDescription, text.series_description);
    put(d, DCM_PatientName, text.patient_name);
    put(d, DCM_PatientID, text.patient_id);
    put(d, DCM_PatientBirthDate, "");
    put(d, DCM_PatientSex, "");
    put(d, DCM_SliceThickness, decimal(g.spacing.z));
    put(d, DCM_KVP, "");
    put(d, DCM_PatientPosition, "HFS");
    put(d, DCM_Laterality, "");  // 2C: the body part is not paired
    put(d, DCM_StudyInstanceUID, series.study_uid);
    put(d, DCM_SeriesInstanceUID, series.series_uid);
    put(d, DCM_StudyID, "");
    put(d, DCM_SeriesNumber, std::to_string(text.series_number));
    put(d, DCM_AcquisitionNumber, "1");
    put(d, DCM_InstanceNumber, std::to_string(z + 1));
    const Vec3d position = g.index_to_world({0.0, 0.0, double(z)});
    put(d, DCM_ImagePositionPatient,
        fmt::format("{}\\{}\\{}", decimal(position.x), decimal(position.y), decimal(position.z)));
    put(d, DCM_ImageOrientationPatient, orientation);
    put(d, DCM_FrameOfReferenceUID, series.frame_of_reference_uid);
    put(d, DCM_PositionReferenceIndicator, "");
    put16(d, DCM_SamplesPerPixel, 1);
    put(d, DCM_PhotometricInterpretation, "MONOCHROME2");
    put16(d, DCM_Rows, static_cast<Uint16>(ny));
    put16(d, DCM_Columns, static_cast<Uint16>(nx));
    // PixelSpacing is (between rows, between columns) = (y, x).
    put(d, DCM_PixelSpacing, fmt::format("{}\\{}", decimal(g.spacing.y), decimal(g.spacing.x)));
    put16(d, DCM_BitsAllocated, 16);
    put16(d, DCM_BitsStored, 16);
    put16(d, DCM_HighBit, 15);
    put16(d, DCM_PixelRepresentation, 1);
    put(d, DCM_RescaleIntercept, decimal(rescale.intercept));
    put(d, DCM_RescaleSlope, decimal(rescale.slope));
    put(d, DCM_RescaleType, "HU");
    const float* slice = image.data() + z * nx * ny;
    for (std::int64_t v = 0; v < nx * ny; ++v) {
      const double stored = std::round((double(slice[v]) - rescale.intercept) / rescale.slope);
      pixels[static_cast<std::size_t>(v)] =
          static_cast<Sint16>(std::clamp(stored, -32768.0, 32767.0));
    }
    if (d.putAndInsertUint16Array(DCM_PixelData, reinterpret_cast<const Uint16*>(pixels.data()),
                                  static_cast<unsigned long>(pixels.size()))
            .bad()) {
      throw data_error("cannot store the pixels of slice {}", z);
    }
    const fs::path name = output.temp_path() / fmt::format("CT_{:04d}.dcm", z + 1);
    const OFCondition saved = file.saveFile(name.c_str(), EXS_LittleEndianExplicit);
    if (saved.bad()) throw data_error("cannot write '{}': {}", name.string(), saved.text());
  }
  output.commit();
  // As a reader finds it: slices sorted along the normal, whichever way the grid's z runs.
  return select_series(scan_dicom(folder), series.series_uid, folder);
}

}  // namespace modir::io
