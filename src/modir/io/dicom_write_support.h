#pragma once

// Internal to modir's DICOM writers (rtstruct_write.cpp, dicom_series_write.cpp): setting
// attributes with errors that name them, decimal strings that fit their VR, and today's date.

#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>

#include <filesystem>

#include <string>
#include <utility>
#include <vector>

#include "modir/io/dicom_series.h"

namespace modir::io::detail {

/// Sets a string attribute; a DCMTK failure becomes a data error naming the attribute.
void put(DcmItem& item, const DcmTagKey& tag, const std::string& value);

/// Appends a new item to a sequence (creating the sequence) and returns it.
DcmItem& new_item(DcmItem& parent, const DcmTagKey& sequence);

/// A decimal string (VR DS) of at most 16 characters, as precise as fits (up to 12 digits).
std::string decimal(double value);

/// What an object drawn on (or derived from) a series repeats of the series' first slice: its
/// SOP class, and the Patient and General Study attributes present there.
struct SourceHeader {
  std::string sop_class_uid;
  std::vector<std::pair<DcmTagKey, std::string>> copied;
};
SourceHeader read_source_header(const DicomSeries& series);

/// The Patient and General Study modules of an object derived from `series`: the attributes its
/// first slice has, the type 2 ones it lacks present and empty, the study UID the series'.
void put_patient_and_study(DcmItem& data, const SourceHeader& source, const DicomSeries& series);

/// Saves a DICOM file (explicit VR little endian, with its meta header) so that it appears whole
/// or not at all.
void save_atomically(DcmFileFormat& file, const std::filesystem::path& out);

/// One item per instance in `sequence` of `parent`: Referenced SOP Class and Instance UIDs.
void reference_instances(DcmItem& parent, const DcmTagKey& sequence, const std::string& sop_class,
                         const std::vector<std::string>& instance_uids);

/// The local date (YYYYMMDD) and time (HHMMSS) for DA and TM attributes.
struct DicomNow {
  std::string date, time;
};
DicomNow dicom_now();

}  // namespace modir::io::detail
