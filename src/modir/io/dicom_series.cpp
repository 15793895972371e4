// Finding image series in a DICOM folder, ordering their slices in space and deriving one regular
// grid from them. Slices are ordered by ImagePositionPatient projected on the slice normal, never
// by file name or InstanceNumber: both are often out of spatial order in exported series.

#include "modir/io/dicom_series.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "modir/core/error.h"
#include "modir/core/log.h"
#include "modir/io/dicom_header.h"

namespace modir::io {

namespace fs = std::filesystem;
using detail::DicomSliceHeader;

namespace {

Vec3d row_cosine(const std::array<double, 6>& iop) {
  return {iop[0], iop[1], iop[2]};
}
Vec3d column_cosine(const std::array<double, 6>& iop) {
  return {iop[3], iop[4], iop[5]};
}

std::string quoted_or_none(const std::string& text) {
  return text.empty() ? std::string("(no description)") : "'" + text + "'";
}

// The folder's files in name order, so that scans and messages do not depend on directory order.
std::vector<fs::path> files_of(const fs::path& folder) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_regular_file(type_ec)) files.push_back(it->path());
  }
  if (ec) throw data_error("'{}': cannot list the folder: {}", folder.string(), ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

// A unit slice normal from a first slice whose orientation is two perpendicular unit vectors.
Vec3d checked_normal(const DicomSliceHeader& slice, Vec3d* row_out, Vec3d* column_out) {
  const std::array<double, 6>& iop = *slice.orientation;
  const Vec3d r = row_cosine(iop), c = column_cosine(iop);
  if (std::abs(r.norm() - 1.0) > 1e-3 || std::abs(c.norm() - 1.0) > 1e-3 ||
      std::abs(r.dot(c)) > 1e-3) {
    throw data_error(
        "'{}': ImageOrientationPatient ({}, {}, {}, {}, {}, {}) is not two perpendicular unit "
        "vectors; the slice cannot be placed in space: fix the header",
        slice.file.string(), iop[0], iop[1], iop[2], iop[3], iop[4], iop[5]);
  }
  // Re-orthonormalise, so that decimals printed in the header still give a rotation.
  const Vec3d rn = r / r.norm();
  Vec3d cn = c - rn * rn.dot(c);
  cn = cn / cn.norm();
  if (row_out != nullptr) *row_out = rn;
  if (column_out != nullptr) *column_out = cn;
  return rn.cross(cn);
}

void require_geometry_tags(const DicomSliceHeader& s) {
  auto missing = [&](const char* tag) {
    return data_error(
        "'{}' has no valid {}; modir needs it to place the slice in space (is this a "
        "screenshot or scout image rather than a slice of a scan?)",
        s.file.string(), tag);
  };
  if (!s.orientation) throw missing("ImageOrientationPatient (0020,0037)");
  if (!s.position) throw missing("ImagePositionPatient (0020,0032)");
  if (!s.pixel_spacing) throw missing("PixelSpacing (0028,0030)");
  if ((*s.pixel_spacing)[0] <= 0 || (*s.pixel_spacing)[1] <= 0) {
    throw data_error("'{}': PixelSpacing {}\\{} must be positive; fix the header", s.file.string(),
                     (*s.pixel_spacing)[0], (*s.pixel_spacing)[1]);
  }
  if (s.frames > 1) {
    throw data_error(
        "'{}' is a multi-frame image ({} frames); modir reads series of single-frame slices: "
        "convert it first (e.g. with dcm2niix)",
        s.file.string(), s.frames);
  }
}

// Slices of one stack share orientation, pixel spacing and matrix size; anything else means the
// folder mixes several stacks under one series UID.
void require_same_plane(const DicomSliceHeader& first, const DicomSliceHeader& s) {
  const auto& a = *first.orientation;
  const auto& b = *s.orientation;
  for (int i = 0; i < 6; ++i) {
    if (std::abs(a[i] - b[i]) > 1e-3) {
      throw data_error(
          "'{}': ImageOrientationPatient differs from that of '{}' ({} vs {} in component {}); "
          "the series mixes differently oriented slices: keep one stack in the folder",
          s.file.string(), first.file.string(), b[i], a[i], i + 1);
    }
  }
  for (int i = 0; i < 2; ++i) {
    const double pa = (*first.pixel_spacing)[i], pb = (*s.pixel_spacing)[i];
    if (std::abs(pa - pb) > 1e-4 * pa) {
      throw data_error(
          "'{}': PixelSpacing {}\\{} differs from {}\\{} in '{}'; the series mixes slices of "
          "different resolution: keep one stack in the folder",
          s.file.string(), (*s.pixel_spacing)[0], (*s.pixel_spacing)[1], (*first.pixel_spacing)[0],
          (*first.pixel_spacing)[1], first.file.string());
    }
  }
  if (s.rows != first.rows || s.columns != first.columns) {
    throw data_error(
        "'{}' has {} rows x {} columns but '{}' has {} x {}; the series mixes slices of different "
        "matrix size: keep one stack in the folder",
        s.file.string(), s.rows, s.columns, first.file.string(), first.rows, first.columns);
  }
}

// Slice spacing for a one-slice series, where there is no second position to measure it from.
double single_slice_spacing(const DicomSliceHeader& s, std::vector<std::string>& notes) {
  if (s.spacing_between_slices > 0) {
    notes.push_back("one slice: slice spacing taken from SpacingBetweenSlices");
    return s.spacing_between_slices;
  }
  if (s.slice_thickness > 0) {
    notes.push_back("one slice: slice spacing taken from SliceThickness");
    return s.slice_thickness;
  }
  notes.push_back(
      "one slice without SpacingBetweenSlices or SliceThickness: slice spacing set to 1 mm");
  return 1.0;
}

}  // namespace

namespace detail {

void sort_slices(std::vector<DicomSliceHeader>& slices) {
  const auto reference = std::find_if(slices.begin(), slices.end(),
                                      [](const DicomSliceHeader& s) { return s.orientation; });
  Vec3d normal{0, 0, 0};
  if (reference != slices.end()) {
    const auto& iop = *reference->orientation;
    normal = row_cosine(iop).cross(column_cosine(iop));
  }
  // Slices without a position sort last; geometry_from_slices refuses them with a clear message.
  auto key = [&](const DicomSliceHeader& s) {
    return s.position ? s.position->dot(normal) : std::numeric_limits<double>::infinity();
  };
  std::stable_sort(slices.begin(), slices.end(),
                   [&](const DicomSliceHeader& a, const DicomSliceHeader& b) {
                     const double ka = key(a), kb = key(b);
                     if (ka != kb) return ka < kb;
                     const int ia = a.instance_number.value_or(0);
                     const int ib = b.instance_number.value_or(0);
                     if (ia != ib) return ia < ib;
                     return a.file < b.file;
                   });
}

DetailedScan scan_dicom_detailed(const fs::path& folder_or_file) {
  std::error_code ec;
  if (!fs::exists(folder_or_file, ec)) {
    throw data_error("'{}' does not exist; check the path", folder_or_file.string());
  }
  const bool is_folder = fs::is_directory(folder_or_file, ec);
  const std::vector<fs::path> files =
      is_folder ? files_of(folder_or_file) : std::vector<fs::path>{folder_or_file};

  DetailedScan scan;
  std::map<std::string, std::size_t> series_index;
  std::size_t damaged = 0;
  std::string first_damage;
  for (const fs::path& file : files) {
    HeaderRead read = read_dicom_header(file);
    if (read.status == HeaderRead::Status::kNotDicom) continue;
    if (read.status == HeaderRead::Status::kDamaged) {
      if (!is_folder) {
        throw data_error("'{}' is a damaged DICOM file ({}); export it again", file.string(),
                         read.problem);
      }
      warn("'{}': skipped, a damaged DICOM file ({})", file.string(), read.problem);
      if (damaged++ == 0) first_damage = fmt::format("'{}': {}", file.string(), read.problem);
      continue;
    }
    DicomSliceHeader& h = read.header;
    if (!is_volume_slice(h)) {
      scan.other_objects.push_back({file, h.modality, h.sop_class_uid, h.sop_instance_uid});
      continue;
    }
    auto [it, added] = series_index.try_emplace(h.series_uid, scan.series.size());
    if (added) scan.series.emplace_back();
    scan.series[it->second].slices.push_back(std::move(h));
  }

  if (scan.series.empty() && scan.other_objects.empty()) {
    if (!is_folder) {
      throw data_error("'{}' is not a DICOM file; modir reads DICOM series from .dcm files",
                       folder_or_file.string());
    }
    if (damaged > 0) {
      throw data_error("'{}' holds no readable DICOM file ({} damaged, first {})",
                       folder_or_file.string(), damaged, first_damage);
    }
    throw data_error(
        "'{}' holds no DICOM files; point to the folder that holds the scan's slices (folders are "
        "not searched recursively)",
        folder_or_file.string());
  }

  for (ScannedSeries& s : scan.series) {
    sort_slices(s.slices);
    const DicomSliceHeader& first = s.slices.front();
    s.series.series_uid = first.series_uid;
    s.series.study_uid = first.study_uid;
    s.series.frame_of_reference_uid = first.frame_of_reference_uid;
    s.series.modality = first.modality;
    s.series.description = first.description;
    for (const DicomSliceHeader& slice : s.slices) {
      s.series.files.push_back(slice.file);
      s.series.sop_instance_uids.push_back(slice.sop_instance_uid);
    }
  }
  return scan;
}

SeriesGeometry geometry_from_slices(const std::vector<DicomSliceHeader>& slices) {
  if (slices.empty()) throw data_error("an empty DICOM series has no geometry");
  for (const DicomSliceHeader& s : slices) require_geometry_tags(s);
  const DicomSliceHeader& first = slices.front();
  for (const DicomSliceHeader& s : slices) require_same_plane(first, s);

  SeriesGeometry result;
  Vec3d row{}, column{};
  const Vec3d normal = checked_normal(first, &row, &column);
  const Vec3d p0 = *first.position;
  const std::size_t n = slices.size();

  std::vector<double> along(n);  // position of each slice along the normal, relative to the first
  for (std::size_t k = 0; k < n; ++k) along[k] = (*slices[k].position - p0).dot(normal);

  for (std::size_t k = 1; k < n; ++k) {
    if (along[k] - along[k - 1] < 1e-3) {
      throw data_error(
          "'{}' and '{}' are slices at the same position ({:.3f} mm along the slice normal); the "
          "series holds two acquisitions or duplicate files: keep one of each",
          slices[k - 1].file.string(), slices[k].file.string(), (*slices[k].position).dot(normal));
    }
  }

  // A stack sheared along the image plane (gantry tilt) is not a grid with orthogonal axes.
  for (std::size_t k = 1; k < n; ++k) {
    const Vec3d in_plane = *slices[k].position - p0 - normal * along[k];
    const double shift = in_plane.norm();
    if (shift > 0.01 + 1e-3 * std::abs(along[k])) {
      throw data_error(
          "'{}': the slices are not stacked along the normal of the image plane (shifted {:.3f} "
          "mm sideways over {:.3f} mm, a gantry tilt of about {:.2f} degrees); resample the "
          "series first (e.g. dcm2niix corrects gantry tilt)",
          slices[k].file.string(), shift, along[k], std::atan2(shift, along[k]) * 180.0 / M_PI);
    }
  }

  double slice_spacing = 0.0;
  if (n == 1) {
    slice_spacing = single_slice_spacing(first, result.notes);
  } else {
    // The smallest step is the true spacing when slices are missing; any other step must match it.
    double smallest = std::numeric_limits<double>::infinity();
    for (std::size_t k = 1; k < n; ++k) smallest = std::min(smallest, along[k] - along[k - 1]);
    for (std::size_t k = 1; k < n; ++k) {
      const double step = along[k] - along[k - 1];
      if (std::abs(step - smallest) > 0.01 + 0.01 * smallest) {
        const double ratio = step / smallest;
        const bool missing = std::abs(ratio - std::round(ratio)) < 0.05;
        throw data_error(
            "'{}': slices are not evenly spaced: {:.3f} mm between '{}' and '{}' ({:.3f} and "
            "{:.3f} mm along the slice normal) while the closest slices are {:.3f} mm apart{}; "
            "the series is incomplete: export it again",
            slices[k].file.parent_path().string(), step, slices[k - 1].file.filename().string(),
            slices[k].file.filename().string(), (*slices[k - 1].position).dot(normal),
            (*slices[k].position).dot(normal), smallest,
            missing ? fmt::format(" ({} slice(s) missing)", std::lround(ratio) - 1) : "");
      }
    }
    slice_spacing = along[n - 1] / static_cast<double>(n - 1);
  }

  Geometry& g = result.geometry;
  g.size = {first.columns, first.rows, static_cast<std::int64_t>(n)};
  // PixelSpacing is (distance between rows, distance between columns): y first, then x.
  g.spacing = {(*first.pixel_spacing)[1], (*first.pixel_spacing)[0], slice_spacing};
  g.origin = p0;
  g.direction = Mat3::from_columns(row, column, normal);
  return result;
}

}  // namespace detail

DicomScan scan_dicom(const fs::path& folder_or_file) {
  detail::DetailedScan detailed = detail::scan_dicom_detailed(folder_or_file);
  DicomScan scan;
  for (detail::ScannedSeries& s : detailed.series) scan.series.push_back(std::move(s.series));
  scan.other_objects = std::move(detailed.other_objects);
  return scan;
}

const DicomSeries& select_series(const DicomScan& scan, const std::string& series_uid,
                                 const fs::path& where, const std::string& option) {
  if (scan.series.empty()) {
    std::string found;
    for (const DicomObject& o : scan.other_objects) {
      found += fmt::format("{}'{}' is {}", found.empty() ? "" : "; ", o.file.filename().string(),
                           detail::describe_object(o.modality, o.sop_class_uid));
    }
    throw data_error(
        "'{}' holds no image series ({}); point to the folder of the CT, MR or PET slices",
        where.string(), found.empty() ? std::string("no image objects") : found);
  }
  if (series_uid.empty() && scan.series.size() == 1) return scan.series.front();
  for (const DicomSeries& s : scan.series) {
    if (!series_uid.empty() && s.series_uid == series_uid) return s;
  }
  std::string list;
  for (const DicomSeries& s : scan.series) {
    list += fmt::format("{}{} {} {} ({} slice(s))", list.empty() ? "" : "; ", s.series_uid,
                        s.modality, quoted_or_none(s.description), s.files.size());
  }
  if (series_uid.empty()) {
    throw usage_error("'{}' holds {} image series: {}; pick one with {} UID", where.string(),
                      scan.series.size(), list, option);
  }
  throw usage_error("'{}' holds no series with UID {}; it holds: {}; pick one with {} UID",
                    where.string(), series_uid, list, option);
}

Geometry dicom_series_geometry(const DicomSeries& series) {
  std::vector<DicomSliceHeader> slices;
  for (const fs::path& file : series.files) {
    detail::HeaderRead read = detail::read_dicom_header(file);
    if (read.status != detail::HeaderRead::Status::kOk) {
      throw data_error(
          "'{}': cannot read the DICOM header{}", file.string(),
          read.problem.empty() ? std::string(" (not a DICOM file)") : " (" + read.problem + ")");
    }
    slices.push_back(std::move(read.header));
  }
  detail::sort_slices(slices);
  return detail::geometry_from_slices(slices).geometry;
}

}  // namespace modir::io
