#include "modir/register/input_files.h"

#include <cmath>
#include <optional>
#include <tuple>

#include <fmt/format.h>

#include "modir/core/error.h"
#include "modir/core/log.h"
#include "modir/core/sha256.h"
#include "modir/io/image_io.h"
#include "modir/io/label_map_io.h"
#include "modir/io/label_names.h"
#include "modir/io/organ_names.h"
#include "modir/io/point_io.h"

namespace modir::reg {

namespace {

// Labels that guide: on their image's grid, with at least one organ voxel.
void check_guiding_labels(const LabelMap& labels, const Geometry& image, const std::string& name,
                          const std::string& image_name) {
  io::check_label_grid(labels, image, name, image_name);
  bool any = false;
  for (const std::uint16_t v : labels.buffer()) {
    if (v != 0) {
      any = true;
      break;
    }
  }
  if (!any)
    throw data_error("label map {} is empty (every voxel is 0): it cannot guide a registration",
                     name);
}

LabelMap read_labels(const std::string& path, const Image<float>& image,
                     const std::string& image_path) {
  LabelMap labels = io::read_label_map(path);
  check_guiding_labels(labels, image.geometry(), path, image_path);
  return labels;
}

// A mask on the fixed grid with at least one voxel set: an empty one would silently switch off
// what it steers.
void check_mask(const Image<std::uint8_t>& mask, const Geometry& fixed, const std::string& name,
                const std::string& fixed_name) {
  if (!mask.geometry().same_grid(fixed)) {
    throw data_error("mask {} is not on the grid of the fixed image {}", name, fixed_name);
  }
  std::int64_t inside = 0;
  for (const std::uint8_t v : mask.buffer()) inside += v != 0;
  if (inside == 0) throw data_error("mask {} is empty", name);
}

Image<std::uint8_t> read_mask(const std::string& path, const Image<float>& fixed,
                              const std::string& fixed_path) {
  Image<std::uint8_t> mask = io::read_image_as<std::uint8_t>(path);
  check_mask(mask, fixed.geometry(), path, fixed_path);
  return mask;
}

void check_inside(const PointSet& points, const Geometry& grid, const std::string& path) {
  for (const Point& p : points.points) {
    if (!grid.contains_index(grid.world_to_index(p.position))) {
      throw data_error("landmark '{}' in {} at ({:.1f}, {:.1f}, {:.1f}) mm lies outside its image",
                       p.id, path, p.position.x, p.position.y, p.position.z);
    }
  }
}

// The moving labels' values in the fixed labels' numbering, when each map has its own names file
// (sidecar or a phantom's meta.json) and they number the organs differently: organs are paired by
// name (io::pair_labels_by_name). nullopt when there is nothing to pair.
std::optional<io::LabelPairing> label_pairing(const RegistrationPaths& paths) {
  if (paths.fixed_labels.empty()) return std::nullopt;
  const auto fixed_names = io::label_names_beside(paths.fixed_labels);
  const auto moving_names = io::label_names_beside(paths.moving_labels);
  if (!fixed_names || !moving_names || fixed_names->path == moving_names->path) return std::nullopt;
  io::LabelPairing pairing =
      io::pair_labels_by_name(fixed_names->names, moving_names->names, io::default_organ_names());
  if (!pairing.renumbered) return std::nullopt;
  if (pairing.other_to_reference.empty()) {
    throw data_error("no organ of {} (names in {}) pairs by name with one of {} (names in {})",
                     paths.moving_labels, moving_names->path.string(), paths.fixed_labels,
                     fixed_names->path.string());
  }
  return pairing;
}

}  // namespace

RegistrationInputs read_registration_inputs(const RegistrationPaths& paths,
                                            PixelType* moving_pixel_type,
                                            nlohmann::json* label_pairing_json) {
  if (label_pairing_json) *label_pairing_json = nullptr;
  if (paths.fixed_labels.empty() != paths.moving_labels.empty()) {
    throw usage_error("label guidance needs both --fixed-labels and --moving-labels");
  }
  if (paths.fixed_landmarks.empty() != paths.moving_landmarks.empty()) {
    throw usage_error("landmark guidance needs both --fixed-landmarks and --moving-landmarks");
  }
  RegistrationInputs in;
  io::ReadOptions fixed_read, moving_read;
  fixed_read.dicom_series_uid = paths.fixed_series;
  fixed_read.dicom_series_option = "--fixed-series";
  moving_read.dicom_series_uid = paths.moving_series;
  moving_read.dicom_series_option = "--moving-series";
  in.fixed = io::read_image_as<float>(paths.fixed, fixed_read);
  const AnyImage moving = io::read_image(paths.moving, moving_read);
  if (moving_pixel_type) *moving_pixel_type = pixel_type_of(moving);
  in.moving = convert_pixels<float>(moving);
  if (!paths.fixed_labels.empty()) {
    in.fixed_labels = read_labels(paths.fixed_labels, in.fixed, paths.fixed);
    in.moving_labels = read_labels(paths.moving_labels, in.moving, paths.moving);
    if (const auto pairing = label_pairing(paths)) {
      // Moving organs without a fixed partner become background: they cannot guide.
      for (const std::string& line : pairing->lines) warn("labels paired by name: {}", line);
      in.moving_labels = io::renumber_labels(*in.moving_labels, pairing->other_to_reference);
      if (label_pairing_json) {
        *label_pairing_json = {{"by", "name"},
                               {"moving_to_fixed", pairing->other_to_reference},
                               {"unpaired_fixed", pairing->unpaired_reference},
                               {"unpaired_moving", pairing->unpaired_other},
                               {"lines", pairing->lines}};
      }
    }
  }
  if (!paths.fixed_landmarks.empty()) {
    const PointSet fixed = io::read_points(paths.fixed_landmarks, &in.fixed.geometry());
    const PointSet moving_points = io::read_points(paths.moving_landmarks, &in.moving.geometry());
    if (fixed.empty()) throw data_error("landmark file {} holds no points", paths.fixed_landmarks);
    check_inside(fixed, in.fixed.geometry(), paths.fixed_landmarks);
    in.landmarks = pair_by_id(fixed, moving_points);
  }
  if (!paths.fixed_mask.empty()) in.fixed_mask = read_mask(paths.fixed_mask, in.fixed, paths.fixed);
  if (!paths.rigidity_mask.empty())
    in.rigidity_mask = read_mask(paths.rigidity_mask, in.fixed, paths.fixed);
  return in;
}

void check_registration_inputs(const RegistrationInputs& in) {
  for (const auto& [name, image] : {std::pair<const char*, const Image<float>*>{"fixed", &in.fixed},
                                    {"moving", &in.moving}}) {
    image->geometry().validate(name);
    std::int64_t non_finite = 0;
    for (const float v : image->buffer()) non_finite += !std::isfinite(v);
    if (non_finite > 0) {
      throw data_error(
          "{} image holds {} NaN or infinite voxel(s): replace them (e.g. with the background "
          "value) before registering",
          name, non_finite);
    }
  }
  if (in.fixed_labels.has_value() != in.moving_labels.has_value()) {
    throw usage_error("label guidance needs both fixed_labels and moving_labels");
  }
  if (in.fixed_labels) {
    check_guiding_labels(*in.fixed_labels, in.fixed.geometry(), "fixed_labels", "fixed");
    check_guiding_labels(*in.moving_labels, in.moving.geometry(), "moving_labels", "moving");
  }
  if (in.landmarks) {
    const PointPairs& p = *in.landmarks;
    if (p.ids.empty()) throw data_error("the landmark pairs hold no points");
    if (p.fixed.size() != p.ids.size() || p.moving.size() != p.ids.size()) {
      throw data_error("{} landmark ids for {} fixed and {} moving points", p.ids.size(),
                       p.fixed.size(), p.moving.size());
    }
    if (!p.weights.empty() && p.weights.size() != p.ids.size()) {
      throw data_error("{} landmark weights for {} pairs", p.weights.size(), p.ids.size());
    }
    for (std::size_t i = 0; i < p.ids.size(); ++i) {
      for (const auto& [side, position, grid] :
           {std::tuple<const char*, Vec3d, const Geometry*>{"fixed", p.fixed[i], &in.fixed.geometry()},
            {"moving", p.moving[i], &in.moving.geometry()}}) {
        if (!grid->contains_index(grid->world_to_index(position))) {
          throw data_error(
              "{} landmark '{}' at ({:.1f}, {:.1f}, {:.1f}) mm lies outside the {} image", side,
              p.ids[i], position.x, position.y, position.z, side);
        }
      }
    }
  }
  if (in.fixed_mask) check_mask(*in.fixed_mask, in.fixed.geometry(), "fixed_mask", "fixed");
  if (in.rigidity_mask)
    check_mask(*in.rigidity_mask, in.fixed.geometry(), "rigidity_mask", "fixed");
}

nlohmann::json describe_inputs(const RegistrationPaths& paths) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, field] : kInputFields) {
    const std::string& path = paths.*field;
    if (path.empty()) continue;
    out[name] = {{"path", path}, {"sha256", sha256_of_path(path)}};
  }
  if (!paths.fixed_series.empty()) out["fixed"]["series"] = paths.fixed_series;
  if (!paths.moving_series.empty()) out["moving"]["series"] = paths.moving_series;
  return out;
}

}  // namespace modir::reg
