// `modir warp`: apply a displacement field u (on the fixed grid, x -> x + u(x)). An image or label
// map of the moving scan is brought onto the fixed grid by sampling it at x + u(x); fixed points
// are sent to the moving scan as y = x + u(x).

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "modir/core/convert_pixels.h"
#include "modir/core/log.h"
#include "modir/core/progress.h"
#include "modir/io/image_format.h"
#include "modir/io/image_io.h"
#include "modir/io/label_map_io.h"
#include "modir/io/label_names.h"
#include "modir/io/output_file.h"
#include "modir/io/point_io.h"
#include "modir/transform/map_points.h"
#include "modir/transform/warp_labels.h"

namespace modir::cli {

namespace fs = std::filesystem;

namespace {

struct WarpOptions {
  std::string moving;
  std::string series;  // DICOM series UID of --moving, where its folder holds several
  std::string points;
  std::string displacement;
  std::string out;
  std::string reference;
  bool labels = false;
  bool nearest = false;
  bool inverse = false;
  std::optional<double> outside;
};

bool is_integer_type(PixelType type) {
  return type != PixelType::kFloat32 && type != PixelType::kFloat64;
}

// ---------------------------------------------------------------------------------------------
// Points

int warp_points(const WarpOptions& options) {
  for (const auto& [given, name] :
       {std::pair{!options.reference.empty(), "--reference"}, std::pair{options.labels, "--labels"},
        std::pair{options.nearest, "--nearest"},
        std::pair{options.outside.has_value(), "--outside"},
        std::pair{!options.series.empty(), "--series"}}) {
    if (given) throw usage_error("{} applies to images; it cannot be used with --points", name);
  }
  io::detect_point_format(options.out);
  io::refuse_overwriting_inputs(options.out, {options.points, options.displacement});
  const DisplacementField field = io::read_displacement_field(options.displacement);
  if (options.inverse) {
    // Moving points back to the fixed scan (x with x + u(x) = y), no inverse field needed.
    const transform::PointsBack back = transform::map_points_back(
        field, io::read_points(options.points), options.points, options.displacement);
    io::write_points(back.fixed, options.out);
    fmt::print("{} points mapped back into the fixed image's space (x with x + u(x) = y; worst "
               "|x + u(x) - y| {:.4f} mm): {}\n",
               back.fixed.size(), back.worst_residual_mm, options.out);
    return 0;
  }
  // Fixed points live on the field's grid, so elastix `index` points are indices of that grid.
  const PointSet moving = transform::map_points_forward(
      field, io::read_points(options.points, &field.geometry()), options.points,
      options.displacement);
  io::write_points(moving, options.out);
  fmt::print("{} points mapped into the moving image's space (y = x + u(x)): {}\n", moving.size(),
             options.out);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Images and label maps

// The field on the grid of the output: its own, or the --reference image's.
DisplacementField field_on_output_grid(const WarpOptions& options) {
  DisplacementField field = io::read_displacement_field(options.displacement);
  if (options.reference.empty()) return field;
  const Geometry reference = io::read_image_info(options.reference).geometry;
  if (reference.same_grid(field.geometry())) return field;
  const Geometry& grid = field.geometry();
  const Size3& n = reference.size;
  for (int c = 0; c < 8; ++c) {
    const Vec3d corner = reference.index_to_world(
        {(c & 1) ? n[0] - 1.0 : 0.0, (c & 2) ? n[1] - 1.0 : 0.0, (c & 4) ? n[2] - 1.0 : 0.0});
    if (!grid.contains_index(grid.world_to_index(corner))) {
      warn(
          "the grid of '{}' reaches beyond the displacement field '{}'; there the field's edge "
          "displacements are extended",
          options.reference, options.displacement);
      break;
    }
  }
  return transform::resample_field(field, reference);
}

// --outside as a label: a whole number the output's voxel type can hold.
std::uint16_t outside_label(const std::optional<double>& outside, PixelType type) {
  if (!outside) return 0;
  double largest = 65535.0;
  if (type == PixelType::kUInt8) largest = 255.0;
  if (type == PixelType::kInt16) largest = 32767.0;
  if (!(*outside >= 0.0 && *outside <= largest && *outside == std::floor(*outside))) {
    throw usage_error("with --labels, --outside must be a label: a whole number in 0..{}, not {}",
                      largest, *outside);
  }
  return static_cast<std::uint16_t>(*outside);
}

fs::path sidecar_of(const fs::path& image) {
  return fs::path(io::strip_image_extension(image).string() + ".json");
}

// Nearest, one-hot label or linear warping of one image, in its own voxel type.
AnyImage warp_any(const AnyImage& moving, const DisplacementField& field,
                  const WarpOptions& options, std::optional<nlohmann::json>& sidecar) {
  const PixelType type = pixel_type_of(moving);
  if (options.labels) {
    const std::uint16_t outside = outside_label(options.outside, type);
    const LabelMap labels = io::label_map_from(moving, options.moving);
    const LabelMap warped = options.nearest ? transform::warp_labels_nearest(labels, field, outside)
                                            : transform::warp_labels(labels, field, outside);
    // A label map made from an RTSTRUCT comes with a JSON sidecar naming its values
    // (formats.md); the warped map keeps the names, its volumes recounted.
    if (fs::is_regular_file(sidecar_of(options.moving))) {
      sidecar = io::carried_label_sidecar(
          sidecar_of(options.moving), warped,
          {{"moving", options.moving},
           {"displacement", options.displacement},
           {"interpolation", options.nearest ? "nearest" : "one-hot trilinear"}});
    }
    // Every value came from the input's type or is the checked outside label: nothing clamps.
    return convert_pixels(AnyImage(warped), type);
  }
  const double outside = options.outside.value_or(0.0);
  return std::visit(
      [&](const auto& img) -> AnyImage {
        return options.nearest ? transform::warp_image_nearest(img, field, outside)
                               : transform::warp_image(img, field, outside);
      },
      moving);
}

int warp_image_file(const WarpOptions& options, const GlobalOptions& global) {
  io::output_image_format(options.out);
  io::refuse_overwriting_inputs(options.out,
                                {options.moving, options.displacement, options.reference});
  const fs::path out_sidecar = sidecar_of(options.out);
  if (options.labels) {
    io::refuse_overwriting_inputs(out_sidecar, {options.moving, options.displacement,
                                                options.reference, sidecar_of(options.moving)});
  }

  // Options are checked before any file is read; the label's fit to the voxel type comes later.
  if (options.outside && !std::isfinite(*options.outside)) {
    throw usage_error("--outside must be a finite number");
  }
  if (options.labels) outside_label(options.outside, PixelType::kUInt16);

  Progress progress(global.quiet ? ProgressStyle::kQuiet : ProgressStyle::kAuto);
  progress.begin_phase("reading", 1);
  const DisplacementField field = field_on_output_grid(options);
  io::ReadOptions read;
  read.dicom_series_uid = options.series;
  const AnyImage moving = io::read_image(options.moving, read);
  progress.end_phase();
  const PixelType type = pixel_type_of(moving);
  if (!options.labels && is_integer_type(type) &&
      io::lower_case_name(options.moving).find("label") != std::string::npos) {
    warn(
        "'{}' looks like a label map; it is warped as an image (linear interpolation mixes "
        "label numbers): pass --labels to warp it by label",
        options.moving);
  }

  progress.begin_phase("warping", 1);
  std::optional<nlohmann::json> sidecar;
  const AnyImage warped = warp_any(moving, field, options, sidecar);
  progress.end_phase();

  progress.begin_phase("writing", 1);
  io::write_image(warped, options.out);
  if (sidecar) io::write_text_file(out_sidecar, sidecar->dump(2) + "\n");
  progress.end_phase();

  const Size3& n = field.geometry().size;
  fmt::print("warped '{}' ({}, {}) onto the {}x{}x{} grid of '{}': {}\n", options.moving,
             pixel_type_name(type),
             options.labels ? (options.nearest ? "labels, nearest" : "labels, one-hot")
                            : (options.nearest ? "nearest" : "linear"),
             n[0], n[1], n[2], options.reference.empty() ? options.displacement : options.reference,
             options.out);
  if (sidecar) fmt::print("label names: {}\n", out_sidecar.string());
  return 0;
}

int run_warp(const WarpOptions& options, const GlobalOptions& global) {
  if (options.moving.empty() == options.points.empty()) {
    throw usage_error(
        "give exactly one of --moving IMAGE (warp an image onto the fixed grid) and --points "
        "FILE (map fixed points into the moving image)");
  }
  if (!options.points.empty()) return warp_points(options);
  if (options.inverse) {
    throw usage_error("--inverse maps points; to warp images the other way, invert the field "
                      "with 'modir invert' and warp with the inverse");
  }
  return warp_image_file(options, global);
}

}  // namespace

CommandAction add_warp_command(CLI::App& app, const GlobalOptions& global) {
  auto options = std::make_shared<WarpOptions>();
  CLI::App* command = app.add_subcommand(
      "warp",
      "Apply a displacement field: warp a moving image or label map onto the fixed grid, or map "
      "fixed points into the moving image");
  command->add_option("--moving", options->moving, "moving image or label map to warp");
  command->add_option("--series", options->series,
                      "DICOM series UID of --moving, where its folder holds several");
  command->add_option("--points", options->points,
                      "fixed points (.csv, .txt, .mrk.json) to map to the moving image");
  command
      ->add_option("--displacement", options->displacement,
                   "displacement field on the fixed grid (LPS mm, x -> x + u(x))")
      ->required();
  command->add_option("--out", options->out, "output image or point file")->required();
  command->add_flag("--labels", options->labels,
                    "the moving image is a label map: warp it by one-hot interpolation");
  command->add_flag("--nearest", options->nearest, "nearest-voxel sampling instead of trilinear");
  command->add_flag("--inverse", options->inverse,
                    "with --points: the points are moving points; map them back to the fixed "
                    "scan (x with x + u(x) = y, solved per point)");
  command->add_option("--reference", options->reference,
                      "write the result on this image's grid (default: the field's grid)");
  command->add_option("--outside", options->outside,
                      "value (or label) where x + u(x) falls outside the moving image (default 0)");
  return [options, &global] { return run_warp(*options, global); };
}

}  // namespace modir::cli
