#pragma once

// Writes small synthetic DICOM slices and edited copies of real ones for the DICOM reader tests,
// with DCMTK directly, so the files do not depend on the code under test.

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "modir/core/vec.h"
#include "support/test_support.h"

namespace modir::test {

/// Everything a synthetic slice file holds; defaults give a 3 x 4 axial int16 CT slice.
struct SliceSpec {
  int rows = 4;
  int columns = 3;
  std::array<double, 6> orientation{1, 0, 0, 0, 1, 0};
  Vec3d position{0, 0, 0};
  std::string pixel_spacing = "0.5\\0.8";  // between rows (y), between columns (x)
  std::string series_uid = "1.2.826.0.1.3680043.2.1125.77.1";
  std::string sop_instance_uid;  // derived from the file name when empty
  std::string sop_class_uid = UID_CTImageStorage;
  std::string modality = "CT";
  std::string description = "synthetic";
  std::string slope = "1";
  std::string intercept = "0";
  std::string slice_thickness;         // omitted when empty
  std::string spacing_between_slices;  // omitted when empty
  int bits_allocated = 16;
  int bits_stored = 16;
  int pixel_representation = 1;
  int samples_per_pixel = 1;
  std::string photometric = "MONOCHROME2";
  int frames = 1;
  int instance_number = 1;
  bool with_position = true;
  bool with_pixels = true;
  std::vector<std::int32_t> values;  // stored values, row by row; zeros when empty
};

inline std::string ds(double v) {
  return fmt::format("{:.6f}", v);
}

inline void check(const OFCondition& c, const std::string& what) {
  if (c.bad()) throw std::runtime_error(what + ": " + c.text());
}

inline void write_slice(const std::filesystem::path& file, const SliceSpec& s) {
  DcmFileFormat format;
  DcmDataset* d = format.getDataset();
  const std::string sop =
      s.sop_instance_uid.empty()
          ? "1.2.826.0.1.3680043.2.1125.99." +
                std::to_string(std::hash<std::string>{}(file.string()) % 1000000)
          : s.sop_instance_uid;
  auto put = [&](const DcmTagKey& tag, const std::string& value) {
    check(d->putAndInsertString(tag, value.c_str()), "put string");
  };
  put(DCM_SOPClassUID, s.sop_class_uid);
  put(DCM_SOPInstanceUID, sop);
  put(DCM_Modality, s.modality);
  put(DCM_SeriesDescription, s.description);
  put(DCM_StudyInstanceUID, "1.2.826.0.1.3680043.2.1125.77.0");
  put(DCM_SeriesInstanceUID, s.series_uid);
  put(DCM_FrameOfReferenceUID, "1.2.826.0.1.3680043.2.1125.77.9");
  put(DCM_InstanceNumber, std::to_string(s.instance_number));
  if (s.rows == 0) {  // a non-image object: identity only
    check(format.saveFile(file.c_str(), EXS_LittleEndianExplicit), "save");
    return;
  }
  const auto& o = s.orientation;
  put(DCM_ImageOrientationPatient, ds(o[0]) + "\\" + ds(o[1]) + "\\" + ds(o[2]) + "\\" + ds(o[3]) +
                                       "\\" + ds(o[4]) + "\\" + ds(o[5]));
  if (s.with_position) {
    put(DCM_ImagePositionPatient,
        ds(s.position.x) + "\\" + ds(s.position.y) + "\\" + ds(s.position.z));
  }
  put(DCM_PixelSpacing, s.pixel_spacing);
  if (!s.slice_thickness.empty()) put(DCM_SliceThickness, s.slice_thickness);
  if (!s.spacing_between_slices.empty()) put(DCM_SpacingBetweenSlices, s.spacing_between_slices);
  put(DCM_RescaleSlope, s.slope);
  put(DCM_RescaleIntercept, s.intercept);
  if (s.frames > 1) put(DCM_NumberOfFrames, std::to_string(s.frames));
  put(DCM_PhotometricInterpretation, s.photometric);
  auto put16 = [&](const DcmTagKey& tag, int value) {
    check(d->putAndInsertUint16(tag, static_cast<Uint16>(value)), "put US");
  };
  put16(DCM_Rows, s.rows);
  put16(DCM_Columns, s.columns);
  put16(DCM_SamplesPerPixel, s.samples_per_pixel);
  put16(DCM_BitsAllocated, s.bits_allocated);
  put16(DCM_BitsStored, s.bits_stored);
  put16(DCM_HighBit, s.bits_stored - 1);
  put16(DCM_PixelRepresentation, s.pixel_representation);
  if (s.with_pixels) {
    const std::size_t count = static_cast<std::size_t>(s.rows) *
                              static_cast<std::size_t>(s.columns) *
                              static_cast<std::size_t>(s.samples_per_pixel * s.frames);
    std::vector<std::int32_t> values = s.values;
    values.resize(count, 0);
    if (s.bits_allocated == 8) {
      std::vector<Uint8> bytes(values.begin(), values.end());
      check(d->putAndInsertUint8Array(DCM_PixelData, bytes.data(), bytes.size()), "pixels");
    } else if (s.bits_allocated == 16) {
      std::vector<Uint16> words(count);
      for (std::size_t i = 0; i < count; ++i) words[i] = static_cast<Uint16>(values[i]);
      check(d->putAndInsertUint16Array(DCM_PixelData, words.data(), count), "pixels");
    } else {
      std::vector<Uint16> words(2 * count);
      for (std::size_t i = 0; i < count; ++i) {
        const auto v = static_cast<std::uint32_t>(values[i]);
        words[2 * i] = static_cast<Uint16>(v & 0xffffu);  // little endian: low word first
        words[2 * i + 1] = static_cast<Uint16>(v >> 16);
      }
      check(d->putAndInsertUint16Array(DCM_PixelData, words.data(), words.size()), "pixels");
    }
  }
  check(format.saveFile(file.c_str(), EXS_LittleEndianExplicit), "save " + file.string());
}

/// Copies a DICOM file, replacing some string attributes (e.g. the SeriesInstanceUID).
inline void copy_with(const std::filesystem::path& from, const std::filesystem::path& to,
                      const std::vector<std::pair<DcmTagKey, std::string>>& changes) {
  DcmFileFormat format;
  check(format.loadFile(from.c_str()), "load " + from.string());
  for (const auto& [tag, value] : changes) {
    check(format.getDataset()->putAndInsertString(tag, value.c_str()), "edit");
  }
  check(format.saveFile(to.c_str(), EXS_LittleEndianExplicit), "save " + to.string());
}

/// The first `bytes` bytes of a file (a transfer cut short).
inline void write_truncated(const std::filesystem::path& from, const std::filesystem::path& to,
                            std::size_t bytes) {
  std::ifstream in(from, std::ios::binary);
  std::vector<char> data(bytes);
  in.read(data.data(), static_cast<std::streamsize>(bytes));
  std::ofstream out(to, std::ios::binary);
  out.write(data.data(), in.gcount());
}

/// The DICOM folders of ../shared/data (see its PROVENANCE.md).
inline std::filesystem::path aria() {
  return shared_data() / "dicom_rt/visible_human_male_aria";
}
inline std::filesystem::path phantom() {
  return shared_data() / "dicom_rt/rtutils_phantom";
}
inline std::filesystem::path breast() {
  return shared_data() / "dicom_rt/dicompyler_breast";
}

}  // namespace modir::test
