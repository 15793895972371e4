// Reads the header fields of one DICOM file with DCMTK, stopping before the pixel data so that a
// folder of hundreds of slices is scanned without loading any voxels.

#include "modir/io/dicom_header.h"
#include "modir/io/dicom_lengths.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>
#include <dcmtk/oflog/oflog.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <mutex>
#include <string_view>

namespace modir::io::detail {

namespace fs = std::filesystem;

namespace {

// Files with the "DICM" preamble are DICOM; files without it are only tried when they start like a
// bare DICOM data set (group 0002 or 0008, little endian), because parsing an arbitrary file
// (a .nii.gz beside the slices) as DICOM is slow and fills the log with noise.
bool looks_like_dicom(const fs::path& file) {
  std::ifstream stream(file, std::ios::binary);
  std::array<unsigned char, 132> head{};
  stream.read(reinterpret_cast<char*>(head.data()), head.size());
  const std::streamsize got = stream.gcount();
  if (got == 132 &&
      std::string_view(reinterpret_cast<const char*>(head.data()) + 128, 4) == "DICM") {
    return true;
  }
  if (got < 8) return false;
  const unsigned group = head[0] | (head[1] << 8u);
  return group == 0x0002 || group == 0x0008;
}

std::string get_string(DcmItem& data, const DcmTagKey& tag) {
  OFString value;
  if (data.findAndGetOFString(tag, value).bad()) return {};
  return std::string(value.c_str());
}

// A multi-valued decimal string (DS) holding exactly `count` finite numbers, or nothing.
template <std::size_t N>
std::optional<std::array<double, N>> get_numbers(DcmDataset& data, const DcmTagKey& tag) {
  DcmElement* element = nullptr;
  if (data.findAndGetElement(tag, element).bad() || element == nullptr) return std::nullopt;
  if (element->getVM() != N) return std::nullopt;
  std::array<double, N> values{};
  for (std::size_t i = 0; i < N; ++i) {
    Float64 v = 0;
    if (element->getFloat64(v, static_cast<unsigned long>(i)).bad() || !std::isfinite(v)) {
      return std::nullopt;
    }
    values[i] = v;
  }
  return values;
}

double get_number(DcmDataset& data, const DcmTagKey& tag, double fallback) {
  const auto v = get_numbers<1>(data, tag);
  return v ? (*v)[0] : fallback;
}

int get_us(DcmDataset& data, const DcmTagKey& tag) {
  Uint16 v = 0;
  return data.findAndGetUint16(tag, v).good() ? static_cast<int>(v) : 0;
}

std::optional<int> get_is(DcmDataset& data, const DcmTagKey& tag) {
  Sint32 v = 0;
  if (data.findAndGetSint32(tag, v).bad()) return std::nullopt;
  return static_cast<int>(v);
}

}  // namespace

void quiet_dcmtk_log() {
  static std::once_flag once;
  std::call_once(once, [] { OFLog::getLogger("dcmtk").setLogLevel(OFLogger::OFF_LOG_LEVEL); });
}

HeaderRead read_dicom_header(const fs::path& file) {
  quiet_dcmtk_log();
  HeaderRead result;
  std::error_code ec;
  if (!fs::is_regular_file(file, ec) || !looks_like_dicom(file)) return result;

  DcmFileFormat format;
  const DcmTagKey stop = DCM_PixelData;
  const OFCondition status = load_dicom(format, file, DCM_MaxReadLength, &stop);
  DcmDataset& data = *format.getDataset();
  DicomSliceHeader& h = result.header;
  h.file = file;
  if (is_declared_length_problem(status)) {
    result.status = HeaderRead::Status::kDamaged;
    result.problem = kDeclaredLengthProblem;
    return result;
  }
  h.sop_class_uid = get_string(data, DCM_SOPClassUID);
  if (h.sop_class_uid.empty()) {
    h.sop_class_uid = get_string(*format.getMetaInfo(), DCM_MediaStorageSOPClassUID);
  }
  if (status.bad()) {
    result.status = HeaderRead::Status::kDamaged;
    result.problem = status.text();
    return result;
  }
  if (h.sop_class_uid.empty()) {
    // A data set without a SOP class is not a DICOM object modir can do anything with.
    result.status = HeaderRead::Status::kDamaged;
    result.problem = "no SOPClassUID";
    return result;
  }
  result.status = HeaderRead::Status::kOk;
  h.sop_instance_uid = get_string(data, DCM_SOPInstanceUID);
  h.series_uid = get_string(data, DCM_SeriesInstanceUID);
  h.study_uid = get_string(data, DCM_StudyInstanceUID);
  h.frame_of_reference_uid = get_string(data, DCM_FrameOfReferenceUID);
  h.modality = get_string(data, DCM_Modality);
  h.description = get_string(data, DCM_SeriesDescription);
  h.instance_number = get_is(data, DCM_InstanceNumber);

  h.orientation = get_numbers<6>(data, DCM_ImageOrientationPatient);
  if (const auto p = get_numbers<3>(data, DCM_ImagePositionPatient)) {
    h.position = Vec3d{(*p)[0], (*p)[1], (*p)[2]};
  }
  h.pixel_spacing = get_numbers<2>(data, DCM_PixelSpacing);
  h.slice_thickness = get_number(data, DCM_SliceThickness, 0.0);
  h.spacing_between_slices = std::abs(get_number(data, DCM_SpacingBetweenSlices, 0.0));
  h.rows = get_us(data, DCM_Rows);
  h.columns = get_us(data, DCM_Columns);
  h.frames = get_is(data, DCM_NumberOfFrames).value_or(1);

  h.samples_per_pixel = get_us(data, DCM_SamplesPerPixel);
  h.bits_allocated = get_us(data, DCM_BitsAllocated);
  h.bits_stored = get_us(data, DCM_BitsStored);
  h.high_bit = get_us(data, DCM_HighBit);
  h.pixel_representation = get_us(data, DCM_PixelRepresentation);
  h.photometric = get_string(data, DCM_PhotometricInterpretation);
  h.rescale_slope = get_number(data, DCM_RescaleSlope, 1.0);
  h.rescale_intercept = get_number(data, DCM_RescaleIntercept, 0.0);
  h.transfer_syntax_uid = DcmXfer(data.getOriginalXfer()).getXferID();
  return result;
}

bool is_volume_slice(const DicomSliceHeader& header) {
  // RT Dose grids, RT (portal) images and segmentation objects carry pixels, but they are not
  // slices of a scan; they are handled (or refused) as objects of their own.
  static constexpr std::array<std::string_view, 4> kNotScans = {"RTDOSE", "RTIMAGE", "SEG", "REG"};
  for (const std::string_view m : kNotScans) {
    if (header.modality == m) return false;
  }
  return header.rows > 0 && header.columns > 0;
}

std::string describe_object(const std::string& modality, const std::string& sop_class_uid) {
  struct Known {
    std::string_view modality, name;
  };
  static constexpr std::array<Known, 9> kKnown = {{
      {"RTSTRUCT", "an RT Structure Set"},
      {"RTPLAN", "an RT Plan"},
      {"RTDOSE", "an RT Dose grid"},
      {"RTIMAGE", "an RT Image (a portal or simulator image)"},
      {"RTRECORD", "an RT Treatment Record"},
      {"REG", "a spatial registration object"},
      {"SEG", "a segmentation object"},
      {"SR", "a structured report"},
      {"PR", "a presentation state"},
  }};
  for (const Known& k : kKnown) {
    if (modality == k.modality) return std::string(k.name);
  }
  const char* name = dcmFindNameOfUID(sop_class_uid.c_str(), nullptr);
  const std::string what = name != nullptr ? name : sop_class_uid;
  return modality.empty() ? "a DICOM " + what + " object"
                          : "a DICOM " + what + " object (modality " + modality + ")";
}

}  // namespace modir::io::detail
