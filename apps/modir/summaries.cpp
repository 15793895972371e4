#include "summaries.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <limits>

#include "modir/io/deformable_registration.h"
#include "modir/io/numpy_io.h"
#include "modir/io/point_io.h"
#include "modir/io/rtstruct.h"

namespace modir::cli {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json vec_json(const Vec3d& v) {
  return json::array({v.x, v.y, v.z});
}

struct Statistics {
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  double sum = 0.0;
  std::int64_t finite = 0;
  std::int64_t non_finite = 0;

  void add(double v) {
    if (!std::isfinite(v)) {
      ++non_finite;
      return;
    }
    min = std::min(min, v);
    max = std::max(max, v);
    sum += v;
    ++finite;
  }
  json to_json() const {
    json j;
    j["min"] = finite > 0 ? json(min) : json(nullptr);
    j["max"] = finite > 0 ? json(max) : json(nullptr);
    j["mean"] = finite > 0 ? json(sum / static_cast<double>(finite)) : json(nullptr);
    j["non_finite"] = non_finite;
    return j;
  }
};

}  // namespace

json describe_geometry(const Geometry& g) {
  json j;
  j["size"] = {g.size[0], g.size[1], g.size[2]};
  j["spacing_mm"] = vec_json(g.spacing);
  j["origin_mm"] = vec_json(g.origin);
  json direction = json::array();
  for (int r = 0; r < 3; ++r)
    direction.push_back({g.direction(r, 0), g.direction(r, 1), g.direction(r, 2)});
  j["direction"] = direction;
  j["orientation"] = g.orientation_toward();
  j["orientation_itk"] = g.orientation_itk();
  j["extent_mm"] =
      vec_json({g.size[0] * g.spacing.x, g.size[1] * g.spacing.y, g.size[2] * g.spacing.z});
  return j;
}

json describe_image(const fs::path& path, const io::ReadOptions& options) {
  io::ReadOptions keep = options;
  keep.allow_2d = true;
  keep.non_finite = io::NonFinitePolicy::kKeep;
  const io::ImageInfo info = io::read_image_info(path, keep);

  json j;
  j["path"] = path.string();
  j["kind"] = info.components == 3 ? "vector image" : "image";
  j["format"] = std::string(io::format_name(info.format));
  j["dimension_in_file"] = info.file_dimension;
  j["components"] = info.components;
  j["stored_as"] = info.file_component_type;
  j["pixel_type"] = std::string(pixel_type_name(info.pixel_type));
  j["geometry"] = describe_geometry(info.geometry);
  j["notes"] = info.notes;

  Statistics stats;
  if (info.components == 1 && info.file_dimension <= 3) {
    const AnyImage image = io::read_image(path, keep);
    std::visit(
        [&](const auto& img) {
          for (const auto v : img.buffer()) stats.add(static_cast<double>(v));
        },
        image);
    j["intensity"] = stats.to_json();
  } else if (info.components == 3 && info.file_dimension == 3) {
    const DisplacementField field = io::read_displacement_field(path);
    for (const Vec3f& u : field.buffer()) stats.add(u.cast<double>().norm());
    j["vector_magnitude_mm"] = stats.to_json();
  }
  return j;
}

json describe_deformable_registration(const fs::path& path) {
  const io::DeformableRegistration r = io::read_deformable_registration(path);
  json j;
  j["path"] = path.string();
  j["kind"] = "deformable registration";
  j["format"] = "DICOM Deformable Spatial Registration";
  j["dimension_in_file"] = 3;
  j["components"] = 3;
  j["stored_as"] = "float32";
  j["pixel_type"] = "float32";
  j["geometry"] = describe_geometry(r.displacement.geometry());
  j["registered_frame_of_reference_uid"] = r.registered_frame_of_reference_uid;
  j["source_frame_of_reference_uid"] = r.source_frame_of_reference_uid;
  j["notes"] = json::array(
      {"maps points of frame of reference " + r.registered_frame_of_reference_uid +
           " (registered) to frame " + r.source_frame_of_reference_uid + " (source): x -> x + u(x)",
       "read wherever modir takes a displacement field"});
  Statistics stats;
  for (const Vec3f& u : r.displacement.buffer()) stats.add(u.cast<double>().norm());
  j["vector_magnitude_mm"] = stats.to_json();
  return j;
}

json describe_dicom_scan(const io::DicomScan& scan) {
  json j;
  j["series"] = json::array();
  for (const io::DicomSeries& s : scan.series) {
    j["series"].push_back({{"series_uid", s.series_uid},
                           {"modality", s.modality},
                           {"description", s.description},
                           {"slices", s.files.size()},
                           {"frame_of_reference_uid", s.frame_of_reference_uid}});
  }
  j["other_objects"] = json::array();
  for (const io::DicomObject& o : scan.other_objects) {
    j["other_objects"].push_back({{"file", o.file.string()},
                                  {"modality", o.modality},
                                  {"sop_instance_uid", o.sop_instance_uid}});
  }
  return j;
}

json describe_rtstruct(const fs::path& path) {
  const io::RtStructureSet set = io::read_rtstruct(path);
  json j;
  j["path"] = path.string();
  j["kind"] = "rtstruct";
  j["label"] = set.label;
  j["referenced_series_uid"] = set.referenced_series_uid;
  j["frame_of_reference_uid"] = set.frame_of_reference_uid;
  j["referenced_images"] = set.referenced_sop_instance_uids.size();
  j["structures"] = json::array();
  for (const io::RtStructure& s : set.structures) {
    std::size_t points = 0;
    for (const io::RtContour& c : s.contours) points += c.points.size();
    j["structures"].push_back({{"roi_number", s.roi_number},
                               {"name", s.name},
                               {"type", s.interpreted_type},
                               {"color", s.color},
                               {"contours", s.contours.size()},
                               {"points", points}});
  }
  return j;
}

namespace {

// elastix point files of the `index` kind hold voxel indices, meaningful only with their image.
bool is_elastix_index_file(const fs::path& path) {
  if (io::detect_point_format(path) != io::PointFormat::kElastix) return false;
  std::ifstream stream(path);
  std::string kind;
  stream >> kind;
  std::transform(kind.begin(), kind.end(), kind.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return kind == "index";
}

}  // namespace

json describe_points(const fs::path& path, const Geometry* reference) {
  // Without the image, index points are shown as they are: an identity geometry maps an index
  // to the same numbers.
  Geometry identity;
  identity.size = {1 << 30, 1 << 30, 1 << 30};  // no "outside the image" warnings
  const bool raw_indices = reference == nullptr && is_elastix_index_file(path);
  const PointSet points = io::read_points(path, raw_indices ? &identity : reference);
  json j;
  j["path"] = path.string();
  j["kind"] = "points";
  j["frame"] = raw_indices ? "voxel index (give --reference IMAGE for world mm)" : "world LPS mm";
  j["count"] = points.size();
  if (!points.empty()) {
    Vec3d lo = points.points.front().position, hi = lo;
    for (const Point& p : points.points) {
      for (int a = 0; a < 3; ++a) {
        lo[a] = std::min(lo[a], p.position[a]);
        hi[a] = std::max(hi[a], p.position[a]);
      }
    }
    j["bounds_min_mm"] = vec_json(lo);
    j["bounds_max_mm"] = vec_json(hi);
    json ids = json::array();
    for (std::size_t i = 0; i < std::min<std::size_t>(points.size(), 5); ++i)
      ids.push_back(points.points[i].id);
    j["first_ids"] = ids;
  }
  return j;
}

json describe_numpy(const fs::path& path) {
  json j;
  j["path"] = path.string();
  j["kind"] = "numpy";
  j["arrays"] = json::array();
  for (const io::NumpyArrayInfo& a : io::list_numpy_arrays(path)) {
    j["arrays"].push_back({{"name", a.name},
                           {"dtype", a.dtype},
                           {"shape", a.shape},
                           {"fortran_order", a.fortran_order}});
  }
  return j;
}

}  // namespace modir::cli
