// Writing DICOM RT Structure Sets with DCMTK's dcmdata: contours from masks (iso-lines per slice),
// and the structure set built attribute by attribute on the referenced image series.

#include "modir/io/rtstruct_write.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <ctime>
#include <random>
#include <set>

#include <fmt/format.h>

#include "modir/core/error.h"
#include "modir/core/version.h"
#include "modir/filter/iso_contours.h"
#include "modir/io/dicom_write_support.h"
#include "modir/io/output_file.h"

namespace modir::io {

namespace fs = std::filesystem;
using detail::decimal;
using detail::new_item;
using detail::put;

std::vector<RtContour> mask_contours(const Image<float>& mask, float level) {
  const Geometry& g = mask.geometry();
  std::vector<RtContour> out;
  for (std::int64_t z = 0; z < g.size[2]; ++z) {
    for (const filter::SlicePolygon& polygon : filter::iso_contours(mask, z, level)) {
      RtContour contour;
      contour.geometric_type = "CLOSED_PLANAR";
      contour.points.reserve(polygon.size());
      for (const auto& v : polygon) contour.points.push_back(g.index_to_world({v[0], v[1], double(z)}));
      out.push_back(std::move(contour));
    }
  }
  return out;
}

std::string new_dicom_uid() {
  // 128 random bits as four 32-bit limbs, most significant first, written in decimal by repeated
  // division by ten (standard C++ has no 128-bit integer).
  std::random_device device;
  std::array<std::uint64_t, 4> limbs{};
  for (std::uint64_t& limb : limbs) limb = device() & 0xffffffffu;
  std::string digits;
  const auto is_zero = [&] {
    return std::all_of(limbs.begin(), limbs.end(), [](std::uint64_t l) { return l == 0; });
  };
  do {
    std::uint64_t remainder = 0;
    for (std::uint64_t& limb : limbs) {
      const std::uint64_t current = (remainder << 32) | limb;
      limb = current / 10;
      remainder = current % 10;
    }
    digits.insert(digits.begin(), static_cast<char>('0' + remainder));
  } while (!is_zero());
  return "2.25." + digits;
}

namespace {

constexpr const char* kRtStructureSetStorage = "1.2.840.10008.5.1.4.1.1.481.3";
// What RT Referenced Study Sequence items name as their class by convention (PS3.3 C.8.8.5.2).
constexpr const char* kStudyComponentClass = "1.2.840.10008.3.1.2.3.1";

// The slice (index into the series) a contour lies on, or a data error.
std::size_t slice_of(const RtContour& contour, const Geometry& grid, const RtStructure& structure) {
  if (contour.points.empty()) {
    throw data_error("structure '{}' has a contour without points", structure.name);
  }
  const double k = grid.world_to_index(contour.points.front()).z;
  const double slice = std::round(k);
  for (const Vec3d& p : contour.points) {
    const double at = grid.world_to_index(p).z;
    if (std::abs(at - slice) > 0.05 || slice < 0 || slice >= double(grid.size[2])) {
      throw data_error(
          "structure '{}': a contour does not lie in a slice plane of the referenced series "
          "(slice index {:.3f}); RTSTRUCT contours must be drawn on the image slices",
          structure.name, at);
    }
  }
  return static_cast<std::size_t>(slice);
}

}  // namespace

void write_rtstruct(const std::vector<RtStructure>& structures, const DicomSeries& series,
                    const RtStructureSetText& text, const fs::path& out) {
  if (structures.empty()) throw data_error("no structures to write to '{}'", out.string());
  if (series.files.empty() || series.files.size() != series.sop_instance_uids.size()) {
    throw data_error("the referenced image series has no slices");
  }
  std::set<int> numbers;
  for (const RtStructure& s : structures) {
    if (!numbers.insert(s.roi_number).second) {
      throw data_error("two structures share ROI number {} ('{}')", s.roi_number, s.name);
    }
  }
  const Geometry grid = dicom_series_geometry(series);
  const detail::SourceHeader source = detail::read_source_header(series);
  const std::string image_class =
      source.sop_class_uid.empty() ? std::string(UID_CTImageStorage) : source.sop_class_uid;
  const detail::DicomNow created = detail::dicom_now();

  DcmFileFormat file;
  DcmDataset& data = *file.getDataset();
  detail::put_patient_and_study(data, source, series);
  // SOP Common
  const std::string instance_uid = new_dicom_uid();
  put(data, DCM_SOPClassUID, kRtStructureSetStorage);
  put(data, DCM_SOPInstanceUID, instance_uid);
  put(data, DCM_InstanceCreationDate, created.date);
  put(data, DCM_InstanceCreationTime, created.time);
  // Frame of Reference: the series' own (the structures are in its patient coordinates).
  put(data, DCM_FrameOfReferenceUID, series.frame_of_reference_uid);
  if (!data.tagExists(DCM_PositionReferenceIndicator)) put(data, DCM_PositionReferenceIndicator, "");
  // RT Series and General Equipment
  put(data, DCM_Modality, "RTSTRUCT");
  put(data, DCM_SeriesInstanceUID, new_dicom_uid());
  put(data, DCM_SeriesNumber, "901");
  put(data, DCM_SeriesDescription, text.name.substr(0, 64));
  put(data, DCM_OperatorsName, "");
  put(data, DCM_Manufacturer, "modir");
  put(data, DCM_ManufacturerModelName, "modir");
  put(data, DCM_SoftwareVersions, kVersion);
  put(data, DCM_InstanceNumber, "1");
  // Structure Set
  put(data, DCM_StructureSetLabel, text.label.empty() ? "modir" : text.label.substr(0, 16));
  if (!text.name.empty()) put(data, DCM_StructureSetName, text.name.substr(0, 64));
  if (!text.description.empty()) put(data, DCM_StructureSetDescription, text.description);
  put(data, DCM_StructureSetDate, created.date);
  put(data, DCM_StructureSetTime, created.time);
  {
    DcmItem& frame = new_item(data, DCM_ReferencedFrameOfReferenceSequence);
    put(frame, DCM_FrameOfReferenceUID, series.frame_of_reference_uid);
    DcmItem& study = new_item(frame, DCM_RTReferencedStudySequence);
    put(study, DCM_ReferencedSOPClassUID, kStudyComponentClass);
    put(study, DCM_ReferencedSOPInstanceUID, series.study_uid);
    DcmItem& referenced_series = new_item(study, DCM_RTReferencedSeriesSequence);
    put(referenced_series, DCM_SeriesInstanceUID, series.series_uid);
    detail::reference_instances(referenced_series, DCM_ContourImageSequence, image_class,
                                series.sop_instance_uids);
  }
  for (const RtStructure& s : structures) {
    DcmItem& roi = new_item(data, DCM_StructureSetROISequence);
    put(roi, DCM_ROINumber, std::to_string(s.roi_number));
    put(roi, DCM_ReferencedFrameOfReferenceUID, series.frame_of_reference_uid);
    put(roi, DCM_ROIName, s.name.substr(0, 64));
    put(roi, DCM_ROIGenerationAlgorithm, text.generation_algorithm);
  }
  // ROI Contour
  for (const RtStructure& s : structures) {
    DcmItem& roi = new_item(data, DCM_ROIContourSequence);
    put(roi, DCM_ROIDisplayColor,
        fmt::format("{}\\{}\\{}", s.color[0], s.color[1], s.color[2]));
    put(roi, DCM_ReferencedROINumber, std::to_string(s.roi_number));
    // ContourSequence is optional but, when present, needs an item: an empty structure has none.
    if (s.contours.empty()) continue;
    int number = 1;
    for (const RtContour& c : s.contours) {
      const std::size_t slice = slice_of(c, grid, s);
      DcmItem& contour = new_item(roi, DCM_ContourSequence);
      DcmItem& image = new_item(contour, DCM_ContourImageSequence);
      put(image, DCM_ReferencedSOPClassUID, image_class);
      put(image, DCM_ReferencedSOPInstanceUID, series.sop_instance_uids[slice]);
      put(contour, DCM_ContourGeometricType,
          c.geometric_type.empty() ? std::string("CLOSED_PLANAR") : c.geometric_type);
      put(contour, DCM_NumberOfContourPoints, std::to_string(c.points.size()));
      put(contour, DCM_ContourNumber, std::to_string(number++));
      std::string points;
      points.reserve(c.points.size() * 3 * 10);
      for (const Vec3d& p : c.points) {
        if (!points.empty()) points += '\\';
        points += decimal(p.x) + '\\' + decimal(p.y) + '\\' + decimal(p.z);
      }
      put(contour, DCM_ContourData, points);
    }
  }
  // RT ROI Observations
  int observation = 1;
  for (const RtStructure& s : structures) {
    DcmItem& item = new_item(data, DCM_RTROIObservationsSequence);
    put(item, DCM_ObservationNumber, std::to_string(observation++));
    put(item, DCM_ReferencedROINumber, std::to_string(s.roi_number));
    put(item, DCM_RTROIInterpretedType, s.interpreted_type);
    put(item, DCM_ROIInterpreter, "");
  }

  detail::save_atomically(file, out);
}

}  // namespace modir::io
