// `modir convert IN OUT`: change format or voxel type, resample to a new spacing, or turn a DICOM
// RT Structure Set into a label map on the grid of its CT series.

#include <array>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "commands.h"
#include "modir/clinical/label_structures.h"
#include "input_kind.h"
#include "modir/core/log.h"
#include "modir/core/version.h"
#include "modir/core/progress.h"
#include "modir/filter/resample.h"
#include "modir/io/dicom_series.h"
#include "modir/io/dicom_series_write.h"
#include "modir/io/image_format.h"
#include "modir/io/image_io.h"
#include "modir/io/label_map_io.h"
#include "modir/io/deformable_registration.h"
#include "modir/io/itk_transform_file.h"
#include "modir/io/output_file.h"
#include "modir/io/point_io.h"
#include "modir/io/label_names.h"
#include "modir/io/rtstruct.h"
#include "modir/io/rtstruct_labels.h"
#include "modir/io/rtstruct_write.h"

namespace modir::cli {

namespace fs = std::filesystem;

namespace {

struct ConvertOptions {
  std::vector<std::string> paths;  // IN OUT, or OUT alone with --rtstruct
  std::vector<double> spacing;
  std::string type;
  std::string interpolation = "linear";
  std::string series_uid;
  std::string array;
  std::string rtstruct;
  std::string reference;
  std::vector<std::string> structures;
  std::string names;
  bool dicom = false;
  std::string patient_name = "Anonymous";
  std::string patient_id = "MODIR-ANON";
  std::optional<double> replace_non_finite;
  bool no_compress = false;
};

filter::Interpolation parse_interpolation(const std::string& name) {
  if (name == "linear") return filter::Interpolation::kLinear;
  if (name == "nearest") return filter::Interpolation::kNearest;
  throw usage_error("--interpolation must be 'linear' or 'nearest', not '{}'", name);
}

std::optional<Vec3d> parse_spacing(const std::vector<double>& values) {
  if (values.empty()) return std::nullopt;
  if (values.size() != 3) {
    throw usage_error("--spacing needs three values sx,sy,sz in mm, got {}", values.size());
  }
  for (double v : values) {
    if (!(v > 0.0) || !std::isfinite(v))
      throw usage_error("--spacing values must be positive, got {}", v);
  }
  return Vec3d{values[0], values[1], values[2]};
}

template <typename T>
Image<T> resample_if_asked(const Image<T>& image, const std::optional<Vec3d>& spacing,
                           filter::Interpolation interpolation, Progress& progress) {
  if (!spacing) return image;
  progress.begin_phase("resampling", 1);
  const Geometry target = filter::geometry_with_spacing(image.geometry(), *spacing);
  // Outside the source (only half a voxel at the faces) the edge value is used, so no fill value
  // such as -1024 HU has to be guessed.
  Image<T> out = filter::resample(image, target, interpolation);
  progress.end_phase();
  return out;
}

int convert_image(const ConvertOptions& options, const fs::path& in, const fs::path& out,
                  Progress& progress) {
  io::ReadOptions read;
  read.allow_2d = true;
  read.dicom_series_uid = options.series_uid;
  read.npz_array = options.array;
  if (options.replace_non_finite) {
    read.non_finite = io::NonFinitePolicy::kReplace;
    read.replacement = *options.replace_non_finite;
  }
  const io::ImageInfo info = io::read_image_info(in, read);
  if (info.file_dimension == 2)
    warn("'{}' is 2D; it is written as a volume with one slice", in.string());

  const auto spacing = parse_spacing(options.spacing);
  const filter::Interpolation interpolation = parse_interpolation(options.interpolation);
  std::optional<PixelType> target_type;
  if (!options.type.empty()) {
    target_type = parse_pixel_type(options.type);
    if (!target_type) {
      throw usage_error(
          "--type must be one of uint8, int16, uint16, int32, float32, float64, not '{}'",
          options.type);
    }
  }

  if (info.components == 3 && info.file_dimension == 3) {
    if (target_type && *target_type != PixelType::kFloat32) {
      throw usage_error("'{}' is a vector image; it can only be written as float32", in.string());
    }
    if (spacing) throw usage_error("resampling a displacement field is not supported by convert");
    progress.begin_phase("reading", 1);
    const DisplacementField field = io::read_displacement_field(in);
    progress.end_phase();
    io::write_displacement_field(field, out, {!options.no_compress});
    return 0;
  }

  progress.begin_phase("reading", 1);
  AnyImage image = io::read_image(in, read);
  progress.end_phase();
  image = std::visit(
      [&](const auto& img) -> AnyImage {
        return resample_if_asked(img, spacing, interpolation, progress);
      },
      image);
  if (target_type) {
    ConversionLoss loss;
    image = convert_pixels(image, *target_type, &loss);
    if (loss.clamped > 0) {
      warn("{} voxel(s) outside the range of {} were clamped to its limits", loss.clamped,
           options.type);
    }
  }
  progress.begin_phase("writing", 1);
  io::write_image(image, out, {!options.no_compress});
  progress.end_phase();
  return 0;
}

int convert_rtstruct(const ConvertOptions& options, const fs::path& rs, const fs::path& out,
                     Progress& progress) {
  // Without --reference, the CT series is looked for beside the RTSTRUCT.
  fs::path reference = options.reference.empty() ? rs.parent_path() : fs::path(options.reference);
  if (reference.empty()) reference = ".";
  io::output_image_format(out);
  progress.begin_phase("reading structures", 1);
  const io::RtStructureSet set = io::read_rtstruct(rs);
  const io::DicomScan scan = io::scan_dicom(reference);
  const std::string uid = options.series_uid.empty() && scan.series.size() > 1
                              ? set.referenced_series_uid
                              : options.series_uid;
  const io::DicomSeries& series = io::select_series(scan, uid, reference);
  const Geometry grid = io::dicom_series_geometry(series);
  progress.end_phase();

  progress.begin_phase("rasterising", 1);
  io::RasterizedLabels result = io::rasterize_rtstruct(set, series, grid, options.structures);
  progress.end_phase();
  for (const std::string& w : result.warnings) warn("{}", w);

  const auto spacing = parse_spacing(options.spacing);
  parse_interpolation(options.interpolation);  // validated only: labels always use nearest
  // Labels are categories, not numbers: only nearest-neighbour resampling keeps them valid.
  const LabelMap labels =
      resample_if_asked(result.labels, spacing, filter::Interpolation::kNearest, progress);

  const fs::path sidecar = fs::path(io::strip_image_extension(out).string() + ".json");
  io::refuse_overwriting_inputs(sidecar, {rs});
  progress.begin_phase("writing", 1);
  io::write_image(labels, out, {!options.no_compress});
  io::write_text_file(sidecar, io::rasterized_labels_sidecar(result, set).dump(2) + "\n");
  progress.end_phase();

  fmt::print("{:>5}  {:<24} {:>12} {:>14}\n", "label", "structure", "voxels ml", "contours ml");
  for (const io::RasterizedStructure& s : result.structures) {
    fmt::print("{:>5}  {:<24} {:>12.3f} {:>14.3f}\n", s.label, s.name, s.volume_ml,
               s.contour_volume_ml);
  }
  fmt::print("labels: {}\nnames:  {}\n", out.string(), sidecar.string());
  return 0;
}

// A label map becomes an RT Structure Set on a DICOM series: every label's mask, carried onto the
// series' grid by linear interpolation when the grids differ, is contoured per slice at 0.5.
int convert_labels_to_rtstruct(const ConvertOptions& options, const fs::path& in,
                               const fs::path& out, Progress& progress) {
  if (options.reference.empty()) {
    throw usage_error(
        "writing an RTSTRUCT needs the DICOM series it is drawn on: --reference CTDIR");
  }
  fs::path names_path = options.names;
  if (names_path.empty()) {
    const fs::path sidecar = fs::path(io::strip_image_extension(in).string() + ".json");
    if (fs::exists(sidecar)) names_path = sidecar;
  }
  const io::LabelNames names = names_path.empty() ? io::LabelNames{} : io::read_label_names(names_path);
  progress.begin_phase("reading", 1);
  const LabelMap labels = io::read_label_map(in);
  const io::DicomScan scan = io::scan_dicom(options.reference);
  const io::DicomSeries& series = io::select_series(scan, options.series_uid, options.reference);
  const Geometry grid = io::dicom_series_geometry(series);
  progress.end_phase();

  const std::vector<io::RtStructure> structures = clinical::structures_from_labels(
      labels, names, grid, in.string(), "series " + series.series_uid, progress);
  io::RtStructureSetText text;
  text.label = "modir";
  text.name = fmt::format("from {}", in.filename().string());
  text.description =
      fmt::format("Contours of the label map {} drawn by modir {} on series {}", in.string(),
                  kVersion, series.series_uid);
  progress.begin_phase("writing", 1);
  io::write_rtstruct(structures, series, text, out);
  progress.end_phase();
  fmt::print("{:>5}  {:<24} {:>9}\n", "label", "structure", "contours");
  for (const io::RtStructure& s : structures)
    fmt::print("{:>5}  {:<24} {:>9}\n", s.roi_number, s.name, s.contours.size());
  fmt::print("RT Structure Set: {}\n", out.string());
  return 0;
}

// An image becomes a DICOM CT series in a new folder (for planning systems, and for DICOM round
// trips of phantom patients whose truth is known).
int convert_to_dicom_series(const ConvertOptions& options, const fs::path& in, const fs::path& out,
                            Progress& progress) {
  progress.begin_phase("reading", 1);
  io::ReadOptions read;
  read.dicom_series_uid = options.series_uid;
  read.npz_array = options.array;
  Image<float> image = io::read_image_as<float>(in, read);
  progress.end_phase();
  const auto spacing = parse_spacing(options.spacing);
  image = resample_if_asked(image, spacing, parse_interpolation(options.interpolation), progress);
  io::DicomSeriesText text;
  text.patient_name = options.patient_name;
  text.patient_id = options.patient_id;
  text.series_description = fmt::format("modir convert {}", in.filename().string());
  progress.begin_phase("writing", 1);
  const io::DicomSeries series = io::write_dicom_series(image, out, text);
  progress.end_phase();
  fmt::print("{} CT slices in {}\nseries {}\nframe of reference {}\n", series.files.size(),
             out.string(), series.series_uid, series.frame_of_reference_uid);
  return 0;
}

// Point files change format (CSV, elastix, Slicer markups); elastix `index` files need the image
// their indices refer to, given with --reference.
int convert_points(const ConvertOptions& options, const fs::path& in, const fs::path& out) {
  io::detect_point_format(out);
  std::optional<Geometry> reference;
  if (!options.reference.empty()) {
    io::ReadOptions read;
    read.allow_2d = true;
    read.dicom_series_uid = options.series_uid;
    reference = io::read_image_info(options.reference, read).geometry;
  }
  const PointSet points = io::read_points(in, reference ? &*reference : nullptr);
  io::write_points(points, out);
  fmt::print("{} points written to {}\n", points.size(), out.string());
  return 0;
}

int run_convert(const ConvertOptions& options, const GlobalOptions& global) {
  Progress progress(global.quiet ? ProgressStyle::kQuiet : ProgressStyle::kAuto);
  if (!options.rtstruct.empty()) {
    if (options.paths.size() != 1) {
      throw usage_error(
          "with --rtstruct give only the output path: modir convert --rtstruct RS.dcm --reference "
          "CTDIR labels.nii.gz");
    }
    const fs::path out = options.paths[0];
    io::refuse_overwriting_inputs(out, {options.rtstruct, options.reference});
    return convert_rtstruct(options, options.rtstruct, out, progress);
  }
  if (options.paths.size() != 2) {
    throw usage_error("convert needs an input and an output path: modir convert IN OUT");
  }
  const fs::path in = options.paths[0], out = options.paths[1];
  io::refuse_overwriting_inputs(out, {in});
  // A displacement field to or from an ITK transform file (.h5), or out of a DICOM Deformable
  // Spatial Registration object.
  if (io::is_itk_transform_file(in) || io::is_itk_transform_file(out) ||
      io::is_deformable_registration(in)) {
    if (!options.spacing.empty() || !options.type.empty()) {
      throw usage_error("--spacing and --type do not apply to displacement fields");
    }
    if (!io::is_itk_transform_file(out)) io::output_image_format(out);
    const DisplacementField field = io::read_displacement_field(in);
    io::write_displacement_field(field, out, {!options.no_compress});
    fmt::print("displacement field {} written as {}\n", in.string(), out.string());
    return 0;
  }
  const InputKind kind = classify_input(in);
  if (options.dicom) return convert_to_dicom_series(options, in, out, progress);
  if (kind == InputKind::kPoints) return convert_points(options, in, out);
  if (io::lower_case_name(out).ends_with(".dcm") && kind != InputKind::kRtStruct &&
      kind != InputKind::kDicomFolder) {
    io::refuse_overwriting_inputs(out, {in, options.reference});
    return convert_labels_to_rtstruct(options, in, out, progress);
  }
  if (!options.names.empty()) throw usage_error("--names needs a label map and an .dcm output");
  io::output_image_format(out);
  if (kind == InputKind::kRtStruct) return convert_rtstruct(options, in, out, progress);
  if (!options.structures.empty()) throw usage_error("--structures needs an RTSTRUCT input");
  return convert_image(options, in, out, progress);
}

}  // namespace

CommandAction add_convert_command(CLI::App& app, const GlobalOptions& global) {
  auto options = std::make_shared<ConvertOptions>();
  CLI::App* command = app.add_subcommand(
      "convert",
      "Convert an image between formats and voxel types, resample it, rasterise an RTSTRUCT "
      "into a label map, or draw a label map as an RTSTRUCT on a DICOM series");
  command->add_option("paths", options->paths, "IN OUT (or only OUT with --rtstruct)")
      ->required()
      ->expected(1, 2);
  command->add_option("--spacing", options->spacing, "resample to this spacing in mm: sx,sy,sz")
      ->delimiter(',')
      ->expected(3);
  command->add_option("--type", options->type,
                      "output voxel type: uint8, int16, uint16, int32, float32, float64");
  command->add_option("--interpolation", options->interpolation,
                      "resampling: linear (default) or nearest (label maps)");
  command->add_option("--series", options->series_uid, "DICOM: the series to read (by UID)");
  command->add_option("--array", options->array, "numpy .npz: the array to read");
  command->add_option("--rtstruct", options->rtstruct,
                      "RT Structure Set to rasterise into a label map");
  command->add_option(
      "--reference", options->reference,
      "RTSTRUCT: DICOM folder of the CT series the structures were drawn on (default: the "
      "RTSTRUCT's folder); elastix index points: the image the indices refer to");
  command
      ->add_option("--structures", options->structures,
                   "structures to rasterise, comma-separated (default: all)")
      ->delimiter(',');
  command->add_option("--names", options->names,
                      "label map -> RTSTRUCT (OUT ending in .dcm, with --reference CTDIR): JSON "
                      "naming the labels (default: the label map's .json sidecar)");
  command->add_flag("--dicom", options->dicom,
                    "write IN as a DICOM CT series into the new folder OUT (one file per slice)");
  command->add_option("--patient-name", options->patient_name,
                      "--dicom: PatientName (default Anonymous)");
  command->add_option("--patient-id", options->patient_id,
                      "--dicom: PatientID (default MODIR-ANON)");
  command->add_option("--replace-nonfinite", options->replace_non_finite,
                      "replace NaN/Inf voxels with this value instead of failing");
  command->add_flag("--no-compress", options->no_compress, "write .mha/.nrrd without compression");
  return [options, &global] { return run_convert(*options, global); };
}

}  // namespace modir::cli
