// Displacement fields as ITK transform files (HDF5), through ITK's own transform IO, so that the
// files are exactly what ITK-based tools write and read.

#include "modir/io/itk_transform_file.h"

#include <itkDisplacementFieldTransform.h>
#include <itkHDF5TransformIO.h>
#include <itkTransformFactory.h>

#include <algorithm>
#include <cmath>
#include <mutex>

#include "modir/core/error.h"
#include "modir/io/image_format.h"
#include "modir/io/output_file.h"

namespace modir::io {

namespace fs = std::filesystem;

namespace {

using FieldTransform = itk::DisplacementFieldTransform<double, 3>;
using FieldTransformFloat = itk::DisplacementFieldTransform<float, 3>;

// ITK's transform reader builds transforms by name through its factory.
void register_field_transforms() {
  static std::once_flag once;
  std::call_once(once, [] {
    itk::TransformFactory<FieldTransform>::RegisterTransform();
    itk::TransformFactory<FieldTransformFloat>::RegisterTransform();
  });
}

template <typename Transform>
DisplacementField field_of(const Transform& transform, const fs::path& path) {
  const auto* image = transform.GetDisplacementField();
  if (image == nullptr) throw data_error("'{}': the transform holds no displacement field", path.string());
  const auto region = image->GetLargestPossibleRegion();
  Geometry g;
  for (unsigned a = 0; a < 3; ++a) {
    g.size[a] = static_cast<std::int64_t>(region.GetSize()[a]);
    g.spacing[static_cast<int>(a)] = image->GetSpacing()[a];
    g.origin[static_cast<int>(a)] = image->GetOrigin()[a];
  }
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) g.direction.m[r][c] = image->GetDirection()[r][c];
  g.validate(path.string());
  DisplacementField u(g);
  const auto* data = image->GetBufferPointer();
  for (std::int64_t v = 0; v < u.voxel_count(); ++v) {
    const auto& d = data[v];
    if (!std::isfinite(d[0]) || !std::isfinite(d[1]) || !std::isfinite(d[2])) {
      throw data_error("'{}' holds NaN or infinite displacements; the field is unusable",
                       path.string());
    }
    u.data()[v] = {static_cast<float>(d[0]), static_cast<float>(d[1]), static_cast<float>(d[2])};
  }
  return u;
}

}  // namespace

bool is_itk_transform_file(const fs::path& path) {
  const std::string name = lower_case_name(path);
  return name.ends_with(".h5") || name.ends_with(".hdf5");
}

void write_itk_displacement_transform(const DisplacementField& u, const fs::path& path) {
  if (!is_itk_transform_file(path)) {
    throw usage_error("'{}': ITK transform files end in .h5 or .hdf5", path.string());
  }
  const Geometry& g = u.geometry();
  g.validate(path.string());
  using FieldImage = FieldTransform::DisplacementFieldType;
  auto image = FieldImage::New();
  FieldImage::RegionType region;
  FieldImage::SpacingType spacing;
  FieldImage::PointType origin;
  FieldImage::DirectionType direction;
  for (unsigned a = 0; a < 3; ++a) {
    region.SetSize(a, static_cast<itk::SizeValueType>(g.size[a]));
    spacing[a] = g.spacing[static_cast<int>(a)];
    origin[a] = g.origin[static_cast<int>(a)];
  }
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) direction[r][c] = g.direction.m[r][c];
  image->SetRegions(region);
  image->SetSpacing(spacing);
  image->SetOrigin(origin);
  image->SetDirection(direction);
  image->Allocate();
  auto* out = image->GetBufferPointer();
  for (std::int64_t v = 0; v < u.voxel_count(); ++v) {
    const Vec3f& d = u.data()[v];
    out[v][0] = d.x;
    out[v][1] = d.y;
    out[v][2] = d.z;
  }
  auto transform = FieldTransform::New();
  transform->SetDisplacementField(image);

  AtomicOutput output(path);
  auto io = itk::HDF5TransformIOTemplate<double>::New();
  io->SetFileName(output.temp_path().string());
  itk::HDF5TransformIOTemplate<double>::ConstTransformListType list;
  list.push_back(transform.GetPointer());
  io->SetTransformList(list);
  try {
    io->Write();
  } catch (const itk::ExceptionObject& e) {
    throw data_error("cannot write '{}': {}", path.string(), e.GetDescription());
  }
  output.commit();
}

DisplacementField read_itk_displacement_transform(const fs::path& path) {
  register_field_transforms();
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw data_error("'{}' does not exist", path.string());
  auto io = itk::HDF5TransformIOTemplate<double>::New();
  if (!io->CanReadFile(path.c_str())) {
    throw data_error("'{}' is not an ITK HDF5 transform file", path.string());
  }
  io->SetFileName(path.string());
  try {
    io->Read();
  } catch (const itk::ExceptionObject& e) {
    throw data_error("cannot read the ITK transform file '{}': {}", path.string(),
                     e.GetDescription());
  }
  const auto& transforms = io->GetTransformList();
  if (transforms.size() != 1) {
    throw data_error("'{}' holds {} transforms; modir reads a single displacement field transform",
                     path.string(), transforms.size());
  }
  const auto* transform = transforms.front().GetPointer();
  if (const auto* field = dynamic_cast<const FieldTransform*>(transform)) {
    return field_of(*field, path);
  }
  throw data_error("'{}' holds a {}, not a displacement field transform; convert it to a "
                   "displacement field first (e.g. with ITK or antsApplyTransforms)",
                   path.string(), transform->GetTransformTypeAsString());
}

}  // namespace modir::io
