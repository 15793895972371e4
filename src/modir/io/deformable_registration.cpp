#include "modir/io/deformable_registration.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <cctype>
#include <cmath>
#include <fstream>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "modir/core/error.h"
#include "modir/core/version.h"
#include "modir/io/dicom_lengths.h"
#include "modir/io/dicom_write_support.h"
#include "modir/io/output_file.h"
#include "modir/io/rtstruct_write.h"

namespace modir::io {

namespace fs = std::filesystem;
using detail::decimal;
using detail::new_item;
using detail::put;

namespace {

constexpr const char* kIdentityMatrix = "1\\0\\0\\0\\0\\1\\0\\0\\0\\0\\1\\0\\0\\0\\0\\1";

Vec3d cross(const Vec3d& a, const Vec3d& b) {
  return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}
double dot(const Vec3d& a, const Vec3d& b) { return a.x * b.x + a.y * b.y + a.z * b.z; }

// A pre- or post-deformation matrix item (RIGID identity): u holds the whole motion.
void identity_matrix(DcmItem& parent, const DcmTagKey& sequence) {
  DcmItem& m = new_item(parent, sequence);
  put(m, DCM_FrameOfReferenceTransformationMatrixType, "RIGID");
  put(m, DCM_FrameOfReferenceTransformationMatrix, kIdentityMatrix);
}

// Every slice of a series in a Referenced Instance Sequence (Common Instance Reference module).
void reference_series(DcmItem& parent, const DicomSeries& series, const std::string& sop_class) {
  DcmItem& s = new_item(parent, DCM_ReferencedSeriesSequence);
  put(s, DCM_SeriesInstanceUID, series.series_uid);
  detail::reference_instances(s, DCM_ReferencedInstanceSequence, sop_class, series.sop_instance_uids);
}

std::string class_of(const DicomSeries& series) {
  const std::string c = detail::read_source_header(series).sop_class_uid;
  return c.empty() ? std::string(UID_CTImageStorage) : c;
}

}  // namespace

void write_deformable_registration(const DisplacementField& u, const DicomSeries& registered,
                                   const DicomSeries& source, const RegistrationText& text,
                                   const fs::path& out) {
  if (registered.sop_instance_uids.empty() || source.sop_instance_uids.empty())
    throw data_error("a deformable registration object needs both image series");
  if (registered.frame_of_reference_uid.empty() || source.frame_of_reference_uid.empty())
    throw data_error("a series without a Frame of Reference UID cannot be registered in DICOM");
  if (registered.frame_of_reference_uid == source.frame_of_reference_uid) {
    throw data_error(
        "series {} and {} share the frame of reference {}: a Deformable Spatial Registration "
        "relates two different frames of reference",
        registered.series_uid, source.series_uid, source.frame_of_reference_uid);
  }
  const detail::SourceHeader header = detail::read_source_header(registered);
  const std::string registered_class =
      header.sop_class_uid.empty() ? std::string(UID_CTImageStorage) : header.sop_class_uid;
  const std::string source_class = class_of(source);
  const detail::DicomNow created = detail::dicom_now();

  DcmFileFormat file;
  DcmDataset& data = *file.getDataset();
  // Patient, General Study: the registered (daily) scan's.
  detail::put_patient_and_study(data, header, registered);
  if (!data.tagExists(DCM_PositionReferenceIndicator)) put(data, DCM_PositionReferenceIndicator, "");
  // SOP Common.
  put(data, DCM_SOPClassUID, UID_DeformableSpatialRegistrationStorage);
  put(data, DCM_SOPInstanceUID, new_dicom_uid());
  put(data, DCM_InstanceCreationDate, created.date);
  put(data, DCM_InstanceCreationTime, created.time);
  // General and Spatial Registration Series, Frame of Reference (the registered one).
  put(data, DCM_Modality, "REG");
  put(data, DCM_SeriesInstanceUID, new_dicom_uid());
  put(data, DCM_SeriesNumber, "902");
  put(data, DCM_SeriesDescription, "modir deformable registration");
  put(data, DCM_Laterality, "");  // type 2C: a pelvis is not a paired body part
  put(data, DCM_FrameOfReferenceUID, registered.frame_of_reference_uid);
  // General and Enhanced General Equipment.
  put(data, DCM_Manufacturer, "modir");
  put(data, DCM_ManufacturerModelName, "modir");
  put(data, DCM_DeviceSerialNumber, "0");
  put(data, DCM_SoftwareVersions, kVersion);
  // Deformable Spatial Registration: content identification.
  put(data, DCM_InstanceNumber, "1");
  put(data, DCM_ContentLabel, text.label.substr(0, 16));
  put(data, DCM_ContentDescription, text.description.substr(0, 64));
  put(data, DCM_ContentCreatorName, "");
  put(data, DCM_ContentDate, created.date);
  put(data, DCM_ContentTime, created.time);

  DcmItem& reg = new_item(data, DCM_DeformableRegistrationSequence);
  put(reg, DCM_SourceFrameOfReferenceUID, source.frame_of_reference_uid);
  {
    // CID 7100, RCS Registration Method: found from the images' content (and organs).
    DcmItem& type = new_item(reg, DCM_RegistrationTypeCodeSequence);
    put(type, DCM_CodeValue, "125024");
    put(type, DCM_CodingSchemeDesignator, "DCM");
    put(type, DCM_CodeMeaning, "Image Content-based Alignment");
  }
  detail::reference_instances(reg, DCM_ReferencedImageSequence, source_class,
                              source.sop_instance_uids);
  identity_matrix(reg, DCM_PreDeformationMatrixRegistrationSequence);
  identity_matrix(reg, DCM_PostDeformationMatrixRegistrationSequence);

  // The grid. DICOM's slice direction is the cross product of the row and column directions;
  // a grid whose third axis points the other way is written with its slices reversed.
  const Geometry& g = u.geometry();
  const Vec3d row = g.direction.column(0), column = g.direction.column(1);
  const Vec3d normal = cross(row, column);
  const bool reversed = dot(normal, g.direction.column(2)) < 0;
  const Vec3d first = reversed ? g.index_to_world({0.0, 0.0, double(g.size[2] - 1)})
                               : g.index_to_world({0.0, 0.0, 0.0});
  DcmItem& grid = new_item(reg, DCM_DeformableRegistrationGridSequence);
  put(grid, DCM_ImageOrientationPatient,
      fmt::format("{}\\{}\\{}\\{}\\{}\\{}", decimal(row.x), decimal(row.y), decimal(row.z),
                  decimal(column.x), decimal(column.y), decimal(column.z)));
  put(grid, DCM_ImagePositionPatient,
      fmt::format("{}\\{}\\{}", decimal(first.x), decimal(first.y), decimal(first.z)));
  const Uint32 dims[3] = {static_cast<Uint32>(g.size[0]), static_cast<Uint32>(g.size[1]),
                          static_cast<Uint32>(g.size[2])};
  const Float64 resolution[3] = {g.spacing.x, g.spacing.y, g.spacing.z};
  if (grid.putAndInsertUint32Array(DCM_GridDimensions, dims, 3).bad() ||
      grid.putAndInsertFloat64Array(DCM_GridResolution, resolution, 3).bad()) {
    throw data_error("cannot set the deformable registration grid");
  }
  const std::int64_t plane = g.size[0] * g.size[1];
  std::vector<Float32> vectors(static_cast<std::size_t>(u.voxel_count()) * 3);
  for (std::int64_t z = 0; z < g.size[2]; ++z) {
    const std::int64_t from = (reversed ? g.size[2] - 1 - z : z) * plane;
    for (std::int64_t k = 0; k < plane; ++k) {
      const Vec3f& v = u.data()[from + k];
      Float32* to = &vectors[static_cast<std::size_t>((z * plane + k) * 3)];
      to[0] = v.x;
      to[1] = v.y;
      to[2] = v.z;
    }
  }
  const OFCondition put_vectors =
      grid.putAndInsertFloat32Array(DCM_VectorGridData, vectors.data(), vectors.size());
  if (put_vectors.bad())
    throw data_error("cannot set the deformation vectors: {}", put_vectors.text());

  // Common Instance Reference: the registered series in this study, the source series in its own.
  reference_series(data, registered, registered_class);
  if (source.study_uid == registered.study_uid) {
    reference_series(data, source, source_class);
  } else {
    DcmItem& study = new_item(data, DCM_StudiesContainingOtherReferencedInstancesSequence);
    put(study, DCM_StudyInstanceUID, source.study_uid);
    reference_series(study, source, source_class);
  }

  detail::save_atomically(file, out);
}

bool is_deformable_registration(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return false;
  // Only DICOM files go to DCMTK, which would print warnings about any other file it parses:
  // the "DICM" marker after the 128-byte preamble, or a .dcm name (files without a preamble).
  {
    std::ifstream stream(file, std::ios::binary);
    char head[132] = {};
    stream.read(head, sizeof head);
    const bool marked = stream.gcount() == 132 && std::string(head + 128, 4) == "DICM";
    std::string extension = file.extension().string();
    for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!marked && extension != ".dcm") return false;
  }
  DcmFileFormat format;
  if (detail::load_dicom(format, file, 1024).bad()) return false;
  OFString sop_class;
  return format.getDataset()->findAndGetOFString(DCM_SOPClassUID, sop_class).good() &&
         sop_class == UID_DeformableSpatialRegistrationStorage;
}

namespace {

bool is_identity_matrix(DcmItem& reg, const DcmTagKey& sequence) {
  DcmItem* item = nullptr;
  if (reg.findAndGetSequenceItem(sequence, item, 0).bad() || item == nullptr) return true;
  for (unsigned long k = 0; k < 16; ++k) {
    Float64 value = 0;
    if (item->findAndGetFloat64(DCM_FrameOfReferenceTransformationMatrix, value, k).bad())
      return false;
    if (std::abs(value - ((k % 5 == 0) ? 1.0 : 0.0)) > 1e-6) return false;
  }
  return true;
}

}  // namespace

DeformableRegistration read_deformable_registration(const fs::path& file) {
  DcmFileFormat format;
  const OFCondition loaded = detail::load_dicom(format, file);
  if (loaded.bad()) throw data_error("'{}': cannot read DICOM ({})", file.string(), loaded.text());
  DcmDataset& data = *format.getDataset();
  OFString text;
  if (data.findAndGetOFString(DCM_SOPClassUID, text).bad() ||
      text != UID_DeformableSpatialRegistrationStorage) {
    throw data_error("'{}' is not a DICOM Deformable Spatial Registration object", file.string());
  }
  DeformableRegistration out;
  if (data.findAndGetOFString(DCM_FrameOfReferenceUID, text).good())
    out.registered_frame_of_reference_uid = text.c_str();
  DcmSequenceOfItems* registrations = nullptr;
  if (data.findAndGetSequence(DCM_DeformableRegistrationSequence, registrations).bad() ||
      registrations == nullptr || registrations->card() == 0) {
    throw data_error("'{}' holds no Deformable Registration Sequence", file.string());
  }
  // The deformation from another frame of reference (an item for the object's own frame, if
  // present, is the identity).
  DcmItem* reg = nullptr;
  for (unsigned long k = 0; k < registrations->card(); ++k) {
    DcmItem* item = registrations->getItem(k);
    OFString source;
    item->findAndGetOFString(DCM_SourceFrameOfReferenceUID, source);
    if (source == out.registered_frame_of_reference_uid.c_str()) continue;
    if (reg != nullptr) {
      throw data_error("'{}' holds deformations from several frames of reference; modir reads "
                       "one",
                       file.string());
    }
    reg = item;
    out.source_frame_of_reference_uid = source.c_str();
  }
  if (reg == nullptr) throw data_error("'{}' holds no deformation from another frame", file.string());
  if (!is_identity_matrix(*reg, DCM_PreDeformationMatrixRegistrationSequence) ||
      !is_identity_matrix(*reg, DCM_PostDeformationMatrixRegistrationSequence)) {
    throw data_error("'{}': pre- or post-deformation matrices other than the identity are not "
                     "supported; resample the deformation into one displacement field first",
                     file.string());
  }
  DcmItem* grid = nullptr;
  if (reg->findAndGetSequenceItem(DCM_DeformableRegistrationGridSequence, grid, 0).bad() ||
      grid == nullptr) {
    throw data_error("'{}' holds no Deformable Registration Grid", file.string());
  }
  double orientation[6], position[3], resolution[3];
  Uint32 dims[3];
  for (unsigned long k = 0; k < 6; ++k) {
    if (grid->findAndGetFloat64(DCM_ImageOrientationPatient, orientation[k], k).bad())
      throw data_error("'{}': the grid's Image Orientation (Patient) is missing", file.string());
  }
  for (unsigned long k = 0; k < 3; ++k) {
    if (grid->findAndGetFloat64(DCM_ImagePositionPatient, position[k], k).bad() ||
        grid->findAndGetFloat64(DCM_GridResolution, resolution[k], k).bad() ||
        grid->findAndGetUint32(DCM_GridDimensions, dims[k], k).bad()) {
      throw data_error("'{}': the grid's position, resolution or dimensions are missing",
                       file.string());
    }
    if (dims[k] == 0 || !(resolution[k] > 0) || !std::isfinite(position[k]))
      throw data_error("'{}': the grid's dimensions or resolution are not positive", file.string());
  }
  const Vec3d row{orientation[0], orientation[1], orientation[2]};
  const Vec3d column{orientation[3], orientation[4], orientation[5]};
  Geometry g;
  g.size = {std::int64_t(dims[0]), std::int64_t(dims[1]), std::int64_t(dims[2])};
  g.spacing = {resolution[0], resolution[1], resolution[2]};
  g.origin = {position[0], position[1], position[2]};
  g.direction = Mat3::from_columns(row, column, cross(row, column));
  g.validate(file.string());
  const Float32* vectors = nullptr;
  unsigned long count = 0;
  if (grid->findAndGetFloat32Array(DCM_VectorGridData, vectors, &count).bad() || vectors == nullptr)
    throw data_error("'{}': the grid holds no Vector Grid Data", file.string());
  if (count != static_cast<unsigned long>(g.voxel_count() * 3)) {
    throw data_error("'{}': the Vector Grid Data holds {} values; a {}x{}x{} grid needs {}",
                     file.string(), count, g.size[0], g.size[1], g.size[2], g.voxel_count() * 3);
  }
  out.displacement = DisplacementField(g);
  for (std::int64_t v = 0; v < g.voxel_count(); ++v) {
    const Float32* p = vectors + v * 3;
    if (!std::isfinite(p[0]) || !std::isfinite(p[1]) || !std::isfinite(p[2]))
      throw data_error("'{}': the deformation has non-finite vectors", file.string());
    out.displacement.data()[v] = {p[0], p[1], p[2]};
  }
  return out;
}

}  // namespace modir::io
