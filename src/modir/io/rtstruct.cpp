// DICOM RT Structure Sets through DCMTK's RT module (dcmrt). DCMTK's IOD class does the parsing;
// this file turns its sequences into modir's plain structs, matching the three per-ROI sequences
// by ROI number (writers do not keep them in the same order) and refusing inconsistent contours.

#include "modir/io/rtstruct.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmrt/drtstrct.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "modir/core/error.h"
#include "modir/core/log.h"
#include "modir/io/dicom_header.h"
#include "modir/io/dicom_lengths.h"

namespace modir::io {

namespace fs = std::filesystem;

namespace {

std::string trimmed(const OFString& value) {
  std::string s = value.c_str();
  const auto not_space = [](unsigned char c) { return c != ' ' && c != '\0'; };
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  return s;
}

// Reads one string attribute through a dcmrt getter; absent or empty both give "".
template <typename Item, typename Getter>
std::string get_string(const Item& item, Getter getter) {
  OFString value;
  if ((item.*getter)(value, 0).bad()) return {};
  return trimmed(value);
}

// The SOP class of a loaded file: the dataset's own, or the meta header's when that is missing.
std::string sop_class_of(DcmFileFormat& file) {
  OFString uid;
  if (file.getDataset()->findAndGetOFString(DCM_SOPClassUID, uid).good() && !uid.empty()) {
    return trimmed(uid);
  }
  if (file.getMetaInfo()->findAndGetOFString(DCM_MediaStorageSOPClassUID, uid).good()) {
    return trimmed(uid);
  }
  return {};
}

std::string sop_class_name(const std::string& uid) {
  const char* name = dcmFindNameOfUID(uid.c_str());
  return name != nullptr ? fmt::format("{} ({})", name, uid) : (uid.empty() ? "none" : uid);
}

// Image references of a ContourImageSequence, in file order.
std::vector<std::string> referenced_sop_uids(const DRTContourImageSequence& sequence) {
  std::vector<std::string> uids;
  for (std::size_t n = 0; n < sequence.getNumberOfItems(); ++n) {
    std::string uid = get_string(sequence.getItem(n),
                                 &DRTContourImageSequence::Item::getReferencedSOPInstanceUID);
    if (!uid.empty()) uids.push_back(std::move(uid));
  }
  return uids;
}

// Series UID, frame of reference and image references from ReferencedFrameOfReferenceSequence >
// RTReferencedStudySequence > RTReferencedSeriesSequence. The first referenced series is the one
// the contours were drawn on; a structure set referencing several series is very rare.
void read_references(const DRTStructureSetIOD& iod, RtStructureSet& set) {
  const DRTReferencedFrameOfReferenceSequence& frames = iod.getReferencedFrameOfReferenceSequence();
  std::set<std::string> seen_sop;
  for (std::size_t f = 0; f < frames.getNumberOfItems(); ++f) {
    const auto& frame = frames.getItem(f);
    const std::string frame_uid =
        get_string(frame, &DRTReferencedFrameOfReferenceSequence::Item::getFrameOfReferenceUID);
    const DRTRTReferencedStudySequence& studies = frame.getRTReferencedStudySequence();
    for (std::size_t s = 0; s < studies.getNumberOfItems(); ++s) {
      const DRTRTReferencedSeriesSequence& series =
          studies.getItem(s).getRTReferencedSeriesSequence();
      for (std::size_t r = 0; r < series.getNumberOfItems(); ++r) {
        const auto& item = series.getItem(r);
        const std::string series_uid =
            get_string(item, &DRTRTReferencedSeriesSequence::Item::getSeriesInstanceUID);
        if (set.referenced_series_uid.empty() && !series_uid.empty()) {
          set.referenced_series_uid = series_uid;
          if (!frame_uid.empty()) set.frame_of_reference_uid = frame_uid;
        }
        for (std::string& uid : referenced_sop_uids(item.getContourImageSequence())) {
          if (seen_sop.insert(uid).second) set.referenced_sop_instance_uids.push_back(uid);
        }
      }
    }
    if (set.frame_of_reference_uid.empty()) set.frame_of_reference_uid = frame_uid;
  }
  if (set.frame_of_reference_uid.empty()) {
    // Structure sets written without the (optional) referenced study/series hierarchy still name
    // their frame of reference, at the top level or per ROI.
    set.frame_of_reference_uid = get_string(iod, &DRTStructureSetIOD::getFrameOfReferenceUID);
  }
}

std::array<int, 3> read_color(const DRTROIContourSequence::Item& item) {
  std::array<int, 3> color{255, 0, 0};
  std::array<Sint32, 3> value{};
  for (unsigned long c = 0; c < 3; ++c) {
    if (item.getROIDisplayColor(value[c], c).bad()) return color;  // absent or incomplete: default
  }
  for (int c = 0; c < 3; ++c) color[c] = std::clamp(static_cast<int>(value[c]), 0, 255);
  return color;
}

RtContour read_contour(const DRTContourSequence::Item& item, const RtStructure& structure,
                       std::size_t index, const fs::path& file) {
  RtContour contour;
  contour.geometric_type = get_string(item, &DRTContourSequence::Item::getContourGeometricType);
  contour.referenced_sop_instance_uids = referenced_sop_uids(item.getContourImageSequence());

  OFVector<Float64> data;
  if (item.getContourData(data).bad()) {
    // An absent ContourData reads as an empty vector; a failure here means unparsable numbers.
    throw data_error(
        "'{}': structure '{}', contour {}: ContourData is not a list of numbers; the "
        "file is damaged",
        file.string(), structure.name, index + 1);
  }
  Sint32 declared = 0;
  const bool has_count = item.getNumberOfContourPoints(declared).good();
  if (!has_count || declared < 0 || data.size() != 3 * static_cast<std::size_t>(declared)) {
    throw data_error(
        "'{}': structure '{}', contour {}: ContourData holds {} values but "
        "NumberOfContourPoints is {} (3 values per point expected); the file is "
        "damaged",
        file.string(), structure.name, index + 1, data.size(),
        has_count ? std::to_string(declared) : std::string("missing"));
  }
  contour.points.reserve(static_cast<std::size_t>(declared));
  for (std::size_t p = 0; p + 2 < data.size(); p += 3) {
    const Vec3d point{data[p], data[p + 1], data[p + 2]};
    if (!std::isfinite(point.x) || !std::isfinite(point.y) || !std::isfinite(point.z)) {
      throw data_error(
          "'{}': structure '{}', contour {}: point {} is not finite; the file is "
          "damaged",
          file.string(), structure.name, index + 1, p / 3 + 1);
    }
    contour.points.push_back(point);
  }
  return contour;
}

}  // namespace

bool is_rtstruct(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return false;
  detail::quiet_dcmtk_log();
  DcmFileFormat dicom;
  // Only the header up to SOPClassUID is needed; (0008,0017) stops parsing right after it.
  const DcmTagKey stop(0x0008, 0x0017);
  if (detail::load_dicom(dicom, file, DCM_MaxReadLength, &stop).bad()) return false;
  return sop_class_of(dicom) == UID_RTStructureSetStorage;
}

RtStructureSet read_rtstruct(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    throw data_error("'{}' does not exist; pass the RTSTRUCT file", file.string());
  }
  if (!fs::is_regular_file(file, ec)) {
    throw data_error("'{}' is not a file; pass the RTSTRUCT file itself, not a folder",
                     file.string());
  }
  // DCMTK's own complaints (absent type 2 attributes, ...) would bury modir's messages.
  detail::quiet_dcmtk_log();
  DcmFileFormat dicom;
  OFCondition status = detail::load_dicom(dicom, file);
  if (status.good()) status = dicom.loadAllDataIntoMemory();
  if (status.bad()) {
    throw data_error(
        "'{}' cannot be read as DICOM ({}): it is not a DICOM file, or it is "
        "truncated or damaged; pass an RT Structure Set file",
        file.string(), status.text());
  }
  const std::string sop_class = sop_class_of(dicom);
  if (sop_class != UID_RTStructureSetStorage) {
    throw data_error(
        "'{}' is not a DICOM RT Structure Set (its SOP class is {}); pass an "
        "RTSTRUCT file",
        file.string(), sop_class_name(sop_class));
  }
  DRTStructureSetIOD iod;
  status = iod.read(*dicom.getDataset());
  if (status.bad()) {
    throw data_error("'{}': damaged RT Structure Set ({})", file.string(), status.text());
  }

  RtStructureSet set;
  set.file = file;
  set.label = get_string(iod, &DRTStructureSetIOD::getStructureSetLabel);
  read_references(iod, set);

  // Structures in the order of StructureSetROISequence, the order planning systems list them.
  const DRTStructureSetROISequence& rois = iod.getStructureSetROISequence();
  std::map<int, std::size_t> index_of_roi;
  std::string roi_frame_uid;
  for (std::size_t n = 0; n < rois.getNumberOfItems(); ++n) {
    const auto& item = rois.getItem(n);
    RtStructure structure;
    Sint32 number = 0;
    if (item.getROINumber(number).bad()) {
      throw data_error(
          "'{}': item {} of StructureSetROISequence has no ROINumber; the file is "
          "damaged",
          file.string(), n + 1);
    }
    structure.roi_number = number;
    structure.name = get_string(item, &DRTStructureSetROISequence::Item::getROIName);
    if (!index_of_roi.emplace(number, set.structures.size()).second) {
      throw data_error("'{}': ROI number {} is used by two structures; the file is damaged",
                       file.string(), number);
    }
    if (roi_frame_uid.empty()) {
      roi_frame_uid =
          get_string(item, &DRTStructureSetROISequence::Item::getReferencedFrameOfReferenceUID);
    }
    set.structures.push_back(std::move(structure));
  }
  if (set.frame_of_reference_uid.empty()) set.frame_of_reference_uid = roi_frame_uid;

  const DRTRTROIObservationsSequence& observations = iod.getRTROIObservationsSequence();
  for (std::size_t n = 0; n < observations.getNumberOfItems(); ++n) {
    const auto& item = observations.getItem(n);
    Sint32 number = 0;
    if (item.getReferencedROINumber(number).bad()) continue;
    const auto found = index_of_roi.find(number);
    if (found == index_of_roi.end()) continue;
    RtStructure& structure = set.structures[found->second];
    if (structure.interpreted_type.empty()) {
      structure.interpreted_type =
          get_string(item, &DRTRTROIObservationsSequence::Item::getRTROIInterpretedType);
    }
  }

  const DRTROIContourSequence& roi_contours = iod.getROIContourSequence();
  std::size_t orphans = 0;
  for (std::size_t n = 0; n < roi_contours.getNumberOfItems(); ++n) {
    const auto& item = roi_contours.getItem(n);
    Sint32 number = 0;
    const auto found =
        item.getReferencedROINumber(number).good() ? index_of_roi.find(number) : index_of_roi.end();
    if (found == index_of_roi.end()) {
      ++orphans;
      continue;
    }
    RtStructure& structure = set.structures[found->second];
    structure.color = read_color(item);
    const DRTContourSequence& contours = item.getContourSequence();
    for (std::size_t c = 0; c < contours.getNumberOfItems(); ++c) {
      structure.contours.push_back(read_contour(contours.getItem(c), structure, c, file));
    }
  }
  if (orphans > 0) {
    warn(
        "'{}': {} ROIContourSequence item(s) refer to no ROI of StructureSetROISequence and were "
        "ignored",
        file.string(), orphans);
  }
  return set;
}

}  // namespace modir::io
