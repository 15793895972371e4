// Reading a DICOM image series as one volume: the backend behind read_image_info / read_image for
// DICOM folders and .dcm files. Headers come from the scan (no pixel data), the grid from
// geometry_from_slices, and each slice's pixels are decoded once with DCMTK and rescaled
// (RescaleSlope/Intercept: Hounsfield units for CT) straight into the output volume.

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmdata/dctk.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>

#include "modir/core/error.h"
#include "modir/core/log.h"
#include "modir/core/parallel.h"
#include "modir/io/dicom_header.h"
#include "modir/io/dicom_lengths.h"
#include "modir/io/image_backends.h"

namespace modir::io::detail {

namespace fs = std::filesystem;

namespace {

// Decoders for the compressed transfer syntaxes DCMTK supports (JPEG, JPEG-LS, RLE). Registered
// once per process and never removed: deregistering while another thread decodes is unsafe.
void register_decoders() {
  static std::once_flag once;
  std::call_once(once, [] {
    quiet_dcmtk_log();
    DJDecoderRegistration::registerCodecs();
    DJLSDecoderRegistration::registerCodecs();
    DcmRLEDecoderRegistration::registerCodecs();
  });
}

bool is_integer(double v) {
  return std::abs(v - std::round(v)) < 1e-9;
}

// The name of the container type the file stores each sample in.
std::string stored_type_name(const DicomSliceHeader& s) {
  return fmt::format("{}int{}", s.pixel_representation == 1 ? "" : "u", s.bits_allocated);
}

// The smallest and largest stored value the header allows (from BitsStored and the sign).
std::pair<double, double> stored_range(const DicomSliceHeader& s) {
  const double span = std::ldexp(1.0, s.bits_stored);
  return s.pixel_representation == 1 ? std::pair{-span / 2, span / 2 - 1}
                                     : std::pair{0.0, span - 1};
}

// Refuses pixel formats this reader does not decode, naming the file and what it holds.
void check_pixel_format(const DicomSliceHeader& s) {
  if (s.samples_per_pixel > 1) {
    throw data_error(
        "'{}' is a colour image ({} samples per pixel, {}); modir reads greyscale "
        "scans (CT, MR, PET)",
        s.file.string(), s.samples_per_pixel, s.photometric);
  }
  if (!s.photometric.empty() && s.photometric != "MONOCHROME2" && s.photometric != "MONOCHROME1") {
    throw data_error(
        "'{}' has PhotometricInterpretation {}; modir reads greyscale (MONOCHROME) "
        "scans only",
        s.file.string(), s.photometric);
  }
  if (s.bits_allocated != 8 && s.bits_allocated != 16 && s.bits_allocated != 32) {
    throw data_error("'{}' has BitsAllocated {}; modir reads 8, 16 or 32-bit pixels",
                     s.file.string(), s.bits_allocated);
  }
  if (s.bits_stored < 1 || s.bits_stored > s.bits_allocated || s.high_bit + 1 < s.bits_stored ||
      s.high_bit >= s.bits_allocated) {
    throw data_error("'{}': BitsStored {} / HighBit {} do not fit BitsAllocated {}; fix the header",
                     s.file.string(), s.bits_stored, s.high_bit, s.bits_allocated);
  }
  if (!std::isfinite(s.rescale_slope) || s.rescale_slope == 0.0) {
    throw data_error("'{}': RescaleSlope {} is unusable; fix the header", s.file.string(),
                     s.rescale_slope);
  }
}

// How the voxels of a series will be returned, decided from the headers alone so that the type
// read_image_info announces is the type read_image returns.
struct PixelPlan {
  PixelType type = PixelType::kFloat32;
  bool may_saturate = false;  ///< int16 chosen although the stored bits could exceed its range
  std::string file_component_type;
  std::vector<std::string> notes;
};

PixelPlan plan_pixels(const std::vector<DicomSliceHeader>& slices) {
  PixelPlan plan;
  bool integer_rescale = true;
  double lowest = std::numeric_limits<double>::infinity();
  double highest = -lowest;
  std::vector<std::string> stored_types;
  for (const DicomSliceHeader& s : slices) {
    check_pixel_format(s);
    integer_rescale =
        integer_rescale && is_integer(s.rescale_slope) && is_integer(s.rescale_intercept);
    const auto [lo, hi] = stored_range(s);
    const double a = lo * s.rescale_slope + s.rescale_intercept;
    const double b = hi * s.rescale_slope + s.rescale_intercept;
    lowest = std::min({lowest, a, b});
    highest = std::max({highest, a, b});
    const std::string name = stored_type_name(s);
    if (std::find(stored_types.begin(), stored_types.end(), name) == stored_types.end()) {
      stored_types.push_back(name);
    }
  }
  for (const std::string& name : stored_types) {
    plan.file_component_type += (plan.file_component_type.empty() ? "" : "/") + name;
  }
  // CT is stored as 12 or 16 bits with an integer intercept (usually -1024): int16 HU, as every
  // planning system keeps it. The stored bits could in theory reach beyond int16 after rescaling
  // (16-bit signed with intercept -1024 allows -33792), but real scans never use that range, so
  // such values saturate and are counted in a warning instead of doubling the memory of every CT.
  const bool fits = lowest >= std::numeric_limits<std::int16_t>::min() &&
                    highest <= std::numeric_limits<std::int16_t>::max();
  const bool sixteen_bits =
      std::all_of(slices.begin(), slices.end(), [](const auto& s) { return s.bits_stored <= 16; });
  plan.type = integer_rescale && sixteen_bits ? PixelType::kInt16 : PixelType::kFloat32;
  plan.may_saturate = plan.type == PixelType::kInt16 && !fits;

  const DicomSliceHeader& first = slices.front();
  const bool same_rescale = std::all_of(slices.begin(), slices.end(), [&](const auto& s) {
    return s.rescale_slope == first.rescale_slope && s.rescale_intercept == first.rescale_intercept;
  });
  if (same_rescale) {
    plan.notes.push_back(fmt::format(
        "voxel values = stored value x {} {} {} (RescaleSlope, RescaleIntercept){}",
        first.rescale_slope, first.rescale_intercept < 0 ? '-' : '+',
        std::abs(first.rescale_intercept), first.modality == "CT" ? ": Hounsfield units" : ""));
  } else {
    plan.notes.push_back("RescaleSlope/RescaleIntercept differ between slices; applied per slice");
  }
  if (plan.type == PixelType::kFloat32) {
    plan.notes.push_back(
        integer_rescale
            ? std::string("read as float32: more than 16 bits stored per sample")
            : std::string("read as float32: RescaleSlope/RescaleIntercept are not integers"));
  }
  if (first.bits_stored < first.bits_allocated) {
    plan.notes.push_back(
        fmt::format("{} of {} bits per sample used", first.bits_stored, first.bits_allocated));
  }
  if (first.photometric == "MONOCHROME1") {
    plan.notes.push_back("MONOCHROME1: values kept as stored (only the display is inverted)");
  }
  return plan;
}

// Stored samples as signed integers, from a frame decoded to the machine's byte order: the
// BitsStored bits ending at HighBit, sign-extended for two's complement data (bits above are
// overlay planes or garbage in old files). `emit(i, value)` receives each sample.
template <typename Word, typename Emit>
void unpack_words(const unsigned char* frame, std::size_t count, const DicomSliceHeader& s,
                  Emit&& emit) {
  const unsigned shift = static_cast<unsigned>(s.high_bit + 1 - s.bits_stored);
  const std::uint64_t mask = (std::uint64_t{1} << s.bits_stored) - 1;
  const std::uint64_t sign_bit = std::uint64_t{1} << (s.bits_stored - 1);
  const bool is_signed = s.pixel_representation == 1;
  for (std::size_t i = 0; i < count; ++i) {
    Word word;
    std::memcpy(&word, frame + i * sizeof(Word), sizeof(Word));
    const std::uint64_t bits = (static_cast<std::uint64_t>(word) >> shift) & mask;
    auto value = static_cast<std::int64_t>(bits);
    if (is_signed && (bits & sign_bit) != 0) value -= static_cast<std::int64_t>(mask + 1);
    emit(i, value);
  }
}

template <typename Emit>
void unpack(const unsigned char* frame, std::size_t count, const DicomSliceHeader& s, Emit&& emit) {
  switch (s.bits_allocated) {
    case 8: return unpack_words<std::uint8_t>(frame, count, s, emit);
    case 16: return unpack_words<std::uint16_t>(frame, count, s, emit);
    default: return unpack_words<std::uint32_t>(frame, count, s, emit);
  }
}

// Decodes one slice file (any transfer syntax DCMTK has a decoder for) into its raw frame bytes.
std::vector<unsigned char> decode_frame(const DicomSliceHeader& s) {
  DcmFileFormat format;
  OFCondition status = load_dicom(format, s.file);
  if (status.bad()) {
    throw data_error("'{}': cannot read the DICOM file ({}); the file is damaged or truncated",
                     s.file.string(), status.text());
  }
  DcmDataset* data = format.getDataset();
  DcmElement* pixels = nullptr;
  if (data->findAndGetElement(DCM_PixelData, pixels).bad() || pixels == nullptr) {
    throw data_error("'{}' has no pixel data; the file is damaged or not an image",
                     s.file.string());
  }
  const std::size_t expected = static_cast<std::size_t>(s.rows) *
                               static_cast<std::size_t>(s.columns) *
                               static_cast<std::size_t>(s.bits_allocated / 8);
  Uint32 frame_size = 0;
  status = pixels->getUncompressedFrameSize(data, frame_size);
  if (status.bad() || frame_size < expected) {
    throw data_error(
        "'{}': pixel data does not match the header ({} x {} pixels); the file is "
        "damaged",
        s.file.string(), s.columns, s.rows);
  }
  std::vector<unsigned char> frame(frame_size + (frame_size & 1u));
  Uint32 start_fragment = 0;
  OFString colour_model;
  status = pixels->getUncompressedFrame(data, 0, start_fragment, frame.data(),
                                        static_cast<Uint32>(frame.size()), colour_model);
  if (status.bad()) {
    const DcmXfer xfer(data->getOriginalXfer());
    throw data_error(
        "'{}': cannot decode the pixel data ({}, transfer syntax {}); the file is "
        "truncated, or its compression is not supported: decompress it first "
        "(e.g. with gdcmconv --raw)",
        s.file.string(), status.text(), xfer.getXferName());
  }
  return frame;
}

template <typename T>
Image<T> read_voxels(const std::vector<DicomSliceHeader>& slices, const Geometry& geometry) {
  register_decoders();
  Image<T> image(geometry);
  const std::size_t per_slice = static_cast<std::size_t>(geometry.size[0] * geometry.size[1]);
  std::atomic<std::int64_t> saturated{0};
  parallel_for(static_cast<std::int64_t>(slices.size()), [&](std::int64_t k) {
    const DicomSliceHeader& s = slices[static_cast<std::size_t>(k)];
    const std::vector<unsigned char> frame = decode_frame(s);
    T* out = image.data() + static_cast<std::size_t>(k) * per_slice;
    if constexpr (std::is_integral_v<T>) {
      // Integer slope and intercept (checked by plan_pixels): exact integer arithmetic.
      const auto slope = static_cast<std::int64_t>(std::llround(s.rescale_slope));
      const auto intercept = static_cast<std::int64_t>(std::llround(s.rescale_intercept));
      constexpr std::int64_t lo = std::numeric_limits<T>::lowest();
      constexpr std::int64_t hi = std::numeric_limits<T>::max();
      std::int64_t clamped = 0;
      unpack(frame.data(), per_slice, s, [&](std::size_t i, std::int64_t v) {
        const std::int64_t value = v * slope + intercept;
        clamped += value < lo || value > hi;
        out[i] = static_cast<T>(std::clamp(value, lo, hi));
      });
      saturated += clamped;
    } else {
      unpack(frame.data(), per_slice, s, [&](std::size_t i, std::int64_t v) {
        out[i] = static_cast<T>(static_cast<double>(v) * s.rescale_slope + s.rescale_intercept);
      });
    }
  });
  if (saturated > 0) {
    warn("'{}': {} voxel(s) beyond the int16 range after rescaling were saturated",
         slices.front().file.parent_path().string(), saturated.load());
  }
  return image;
}

// The series a path names: the one chosen among a folder's series, or the single file itself.
const ScannedSeries& chosen_series(const DetailedScan& scan, const fs::path& path,
                                   const ReadOptions& options) {
  std::error_code ec;
  if (!fs::is_directory(path, ec) && scan.series.empty() && !scan.other_objects.empty()) {
    const DicomObject& o = scan.other_objects.front();
    const std::string what = describe_object(o.modality, o.sop_class_uid);
    if (o.modality == "RTSTRUCT") {
      throw data_error(
          "'{}' is {}, not an image; list its structures with `modir info {}`, rasterise it with "
          "`modir convert {} OUT --reference CTDIR`",
          path.string(), what, path.string(), path.string());
    }
    throw data_error("'{}' is {}, not an image; point to the folder of the CT, MR or PET slices",
                     path.string(), what);
  }
  DicomScan plain;
  for (const ScannedSeries& s : scan.series) plain.series.push_back(s.series);
  plain.other_objects = scan.other_objects;
  const DicomSeries& chosen =
      select_series(plain, options.dicom_series_uid, path, options.dicom_series_option);
  const auto index = static_cast<std::size_t>(&chosen - plain.series.data());
  return scan.series[index];
}

struct SeriesRead {
  const ScannedSeries* series = nullptr;
  SeriesGeometry geometry;
  PixelPlan plan;
};

SeriesRead prepare(const DetailedScan& scan, const fs::path& path, const ReadOptions& options) {
  SeriesRead read;
  read.series = &chosen_series(scan, path, options);
  read.geometry = geometry_from_slices(read.series->slices);
  read.plan = plan_pixels(read.series->slices);
  return read;
}

}  // namespace

ImageInfo dicom_read_info(const fs::path& path, const ReadOptions& options) {
  const DetailedScan scan = scan_dicom_detailed(path);
  const SeriesRead read = prepare(scan, path, options);
  const DicomSeries& series = read.series->series;

  ImageInfo info;
  info.format = ImageFormat::kDicom;
  info.geometry = read.geometry.geometry;
  info.file_dimension = series.files.size() > 1 ? 3 : 2;
  info.components = 1;
  info.file_component_type = read.plan.file_component_type;
  info.pixel_type = read.plan.type;
  info.notes.push_back("modality: " + (series.modality.empty() ? "unknown" : series.modality));
  info.notes.push_back("series UID: " + series.series_uid);
  info.notes.push_back("series description: " +
                       (series.description.empty() ? "(none)" : series.description));
  info.notes.push_back(
      fmt::format("{} slice(s), ordered by position along the slice normal", series.files.size()));
  if (scan.series.size() > 1) {
    info.notes.push_back(
        fmt::format("the folder holds {} other image series", scan.series.size() - 1));
  }
  std::error_code ec;
  if (!fs::is_directory(path, ec)) {
    info.notes.push_back("a single file is read as one slice; other slices beside it are not read");
  }
  for (const std::string& note : read.geometry.notes) info.notes.push_back(note);
  for (const std::string& note : read.plan.notes) info.notes.push_back(note);
  return info;
}

AnyImage dicom_read(const fs::path& path, const ReadOptions& options) {
  const DetailedScan scan = scan_dicom_detailed(path);
  const SeriesRead read = prepare(scan, path, options);
  const std::vector<DicomSliceHeader>& slices = read.series->slices;
  if (read.plan.type == PixelType::kInt16) {
    return read_voxels<std::int16_t>(slices, read.geometry.geometry);
  }
  return read_voxels<float>(slices, read.geometry.geometry);
}

}  // namespace modir::io::detail
