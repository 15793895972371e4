#include "modir/io/dicom_write_support.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dctag.h>

#include <chrono>
#include <ctime>

#include <fmt/format.h>

#include "modir/core/error.h"
#include "modir/io/dicom_lengths.h"
#include "modir/io/output_file.h"

namespace modir::io::detail {

SourceHeader read_source_header(const DicomSeries& series) {
  DcmFileFormat file;
  if (series.files.empty()) throw data_error("the referenced image series has no slices");
  const std::filesystem::path& first = series.files.front();
  if (load_dicom(file, first, 4096).bad()) {
    throw data_error("'{}': cannot read the DICOM header of the referenced series",
                     first.string());
  }
  DcmDataset& data = *file.getDataset();
  SourceHeader out;
  OFString value;
  if (data.findAndGetOFString(DCM_SOPClassUID, value).good()) out.sop_class_uid = value.c_str();
  // Patient and General Study modules: what is derived from the series belongs to the same
  // patient and study.
  for (const DcmTagKey& tag :
       {DCM_SpecificCharacterSet, DCM_PatientName, DCM_PatientID, DCM_PatientBirthDate,
        DCM_PatientSex, DCM_StudyInstanceUID, DCM_StudyDate, DCM_StudyTime,
        DCM_ReferringPhysicianName, DCM_StudyID, DCM_AccessionNumber, DCM_StudyDescription,
        DCM_PositionReferenceIndicator}) {
    value.clear();
    if (data.findAndGetOFStringArray(tag, value).good()) out.copied.emplace_back(tag, value.c_str());
  }
  return out;
}

void put(DcmItem& item, const DcmTagKey& tag, const std::string& value) {
  const OFCondition status = item.putAndInsertString(tag, value.c_str());
  if (status.bad()) {
    throw data_error("cannot set DICOM attribute {}: {}", DcmTag(tag).getTagName(),
                     status.text());
  }
}

DcmItem& new_item(DcmItem& parent, const DcmTagKey& sequence) {
  DcmItem* item = nullptr;
  if (parent.findOrCreateSequenceItem(sequence, item, -2).bad() || item == nullptr) {
    throw data_error("cannot add an item to DICOM sequence {}", DcmTag(sequence).getTagName());
  }
  return *item;
}

void put_patient_and_study(DcmItem& data, const SourceHeader& source, const DicomSeries& series) {
  for (const auto& [tag, value] : source.copied) put(data, tag, value);
  for (const DcmTagKey& tag : {DCM_PatientName, DCM_PatientID, DCM_PatientBirthDate, DCM_PatientSex,
                               DCM_StudyDate, DCM_StudyTime, DCM_ReferringPhysicianName,
                               DCM_StudyID, DCM_AccessionNumber}) {
    if (!data.tagExists(tag)) put(data, tag, "");
  }
  if (!data.tagExists(DCM_StudyInstanceUID)) put(data, DCM_StudyInstanceUID, series.study_uid);
}

void save_atomically(DcmFileFormat& file, const std::filesystem::path& out) {
  AtomicOutput output(out);
  const OFCondition saved =
      file.saveFile(output.temp_path().c_str(), EXS_LittleEndianExplicit, EET_ExplicitLength,
                    EGL_recalcGL, EPD_noChange, 0, 0, EWM_fileformat);
  if (saved.bad()) throw data_error("cannot write '{}': {}", out.string(), saved.text());
  output.commit();
}

void reference_instances(DcmItem& parent, const DcmTagKey& sequence, const std::string& sop_class,
                         const std::vector<std::string>& instance_uids) {
  for (const std::string& uid : instance_uids) {
    DcmItem& item = new_item(parent, sequence);
    put(item, DCM_ReferencedSOPClassUID, sop_class);
    put(item, DCM_ReferencedSOPInstanceUID, uid);
  }
}

std::string decimal(double value) {
  // As many significant digits as fit (up to 12: 1e-9 relative, far below any voxel), so that
  // direction cosines and positions survive the text form.
  if (value == 0.0) return "0";
  std::string s;
  for (int digits = 12; digits >= 1; --digits) {
    s = fmt::format("{:.{}g}", value, digits);
    if (s.size() <= 16) break;
  }
  return s;
}

DicomNow dicom_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm local{};
  localtime_r(&t, &local);
  char date[9], time[7];
  std::strftime(date, sizeof date, "%Y%m%d", &local);
  std::strftime(time, sizeof time, "%H%M%S", &local);
  return {date, time};
}

}  // namespace modir::io::detail
