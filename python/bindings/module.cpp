// The extension module behind `import modir` (python/modir/__init__.py wraps it): reading and
// writing images, registration (single run and front), warping, evaluation and phantoms, each a
// call into the same library functions the command line uses. Long calls release the GIL.

#include <chrono>
#include <fstream>
#include <optional>

#include <fmt/format.h>
#include <pybind11/stl.h>

#include "arrays.h"
#include "modir/core/error.h"
#include "modir/core/parallel.h"
#include "modir/core/progress.h"
#include "modir/dataset/check.h"
#include "modir/dataset/split.h"
#include "modir/core/version.h"
#include "modir/evaluate/landmark_error.h"
#include "modir/evaluate/field_error.h"
#include "modir/io/image_io.h"
#include "modir/io/label_map_io.h"
#include "modir/io/output_file.h"
#include "modir/io/output_folder.h"
#include "modir/io/point_io.h"
#include "modir/io/scratch_folder.h"
#include "modir/learn/plan.h"
#include "modir/learn/quality_check.h"
#include "modir/learn/segmenter.h"
#include "modir/phantom/scan_pair.h"
#include "modir/register/front_outputs.h"
#include "modir/register/input_files.h"
#include "modir/register/registration.h"
#include "modir/register/result_outputs.h"
#include "modir/register/run_report.h"
#include "modir/report/evaluation.h"
#include "modir/transform/jacobian.h"
#include "modir/transform/warp.h"
#include "modir/transform/warp_labels.h"

namespace modir::python {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// JSON crosses as text: Python's json module turns it into dicts (modir/__init__.py).
std::string config_text_or_empty(const py::object& config) {
  return config.is_none() ? std::string{} : config.cast<std::string>();
}

py::tuple image_pair(AnyImage image) {
  py::dict geometry = geometry_to_dict(geometry_of(image));
  return py::make_tuple(to_array(std::move(image)), geometry);
}

py::tuple field_pair(DisplacementField field) {
  py::dict geometry = geometry_to_dict(field.geometry());
  return py::make_tuple(to_array(std::move(field)), geometry);
}

py::tuple read_image(const std::string& path, const py::object& replace_nonfinite) {
  io::ReadOptions options;
  if (!replace_nonfinite.is_none()) {
    options.non_finite = io::NonFinitePolicy::kReplace;
    options.replacement = replace_nonfinite.cast<double>();
  }
  AnyImage image = [&] {
    py::gil_scoped_release free;
    return io::read_image(path, options);
  }();
  return image_pair(std::move(image));
}

py::tuple read_labels(const std::string& path) {
  LabelMap labels = [&] {
    py::gil_scoped_release free;
    return io::read_label_map(path);
  }();
  return image_pair(AnyImage(std::move(labels)));
}

py::tuple read_displacement(const std::string& path) {
  DisplacementField field = [&] {
    py::gil_scoped_release free;
    return io::read_displacement_field(path);
  }();
  return field_pair(std::move(field));
}

void write_image(const py::array& array, const py::dict& geometry, const std::string& path) {
  AnyImage image = any_image_from(array, geometry, "image");
  py::gil_scoped_release free;
  io::write_image(image, path);
}

void write_displacement(const py::array& array, const py::dict& geometry, const std::string& path) {
  DisplacementField field = field_from(array, geometry, "displacement");
  py::gil_scoped_release free;
  io::write_displacement_field(field, path);
}

// Points as (ids, [N, 3] array of LPS mm).
py::tuple points_pair(const PointSet& points) {
  std::vector<std::string> ids;
  py::array_t<double> positions({static_cast<py::ssize_t>(points.points.size()), py::ssize_t{3}});
  auto p = positions.mutable_unchecked<2>();
  for (std::size_t i = 0; i < points.points.size(); ++i) {
    ids.push_back(points.points[i].id);
    const auto r = static_cast<py::ssize_t>(i);
    p(r, 0) = points.points[i].position.x;
    p(r, 1) = points.points[i].position.y;
    p(r, 2) = points.points[i].position.z;
  }
  return py::make_tuple(ids, positions);
}

py::tuple read_points(const std::string& path) {
  return points_pair(io::read_points(path));
}

// An optional (array, geometry) argument as a label map or mask of type T.
template <typename T>
std::optional<Image<T>> optional_image(const py::object& pair, const std::string& name) {
  if (pair.is_none()) return std::nullopt;
  const auto t = pair.cast<py::tuple>();
  return image_from<T>(t[0].cast<py::array>(), t[1].cast<py::dict>(), name);
}

// The level lines the command line prints, when the caller wants them.
reg::LevelCallback level_printer(bool verbose) {
  if (!verbose) return {};
  return [](const reg::LevelLog& log) {
    fmt::print(stderr, "{} level {}: {} iterations, {} [{:.1f} s]\n", log.stage, log.level + 1,
               log.iterations, log.stop_reason, log.seconds);
  };
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The inputs as report.json describes them when they came from memory, not files.
json in_memory_inputs(const reg::RegistrationInputs& in) {
  json out = {{"fixed", {{"source", "memory"}}}, {"moving", {{"source", "memory"}}}};
  if (in.fixed_labels) {
    out["fixed_labels"] = {{"source", "memory"}};
    out["moving_labels"] = {{"source", "memory"}};
  }
  if (in.landmarks) out["landmarks"] = {{"source", "memory"}, {"pairs", in.landmarks->ids.size()}};
  if (in.fixed_mask) out["fixed_mask"] = {{"source", "memory"}};
  if (in.rigidity_mask) out["rigidity_mask"] = {{"source", "memory"}};
  return out;
}

py::dict register_arrays(const py::tuple& fixed, const py::tuple& moving,
                         const py::object& fixed_labels, const py::object& moving_labels,
                         const py::object& fixed_landmarks, const py::object& moving_landmarks,
                         const py::object& landmark_ids, const py::object& landmark_weights,
                         const py::object& fixed_mask, const py::object& rigidity_mask,
                         const py::object& config_json, int pareto, const std::string& out,
                         int threads, bool verbose) {
  const auto start = std::chrono::steady_clock::now();
  const std::string config_text = config_text_or_empty(config_json);
  reg::RegistrationConfig config = config_text.empty()
                                       ? reg::RegistrationConfig{}
                                       : reg::parse_registration_config(json::parse(config_text));
  if (pareto > 0) config.front.solutions = pareto;
  reg::validate(config);

  reg::RegistrationInputs in;
  in.fixed = image_from<float>(fixed[0].cast<py::array>(), fixed[1].cast<py::dict>(), "fixed");
  in.moving = image_from<float>(moving[0].cast<py::array>(), moving[1].cast<py::dict>(), "moving");
  // warped.nii.gz in `out` keeps the moving array's voxel type, as the command line keeps the
  // moving file's.
  const PixelType moving_type = pixel_type_of_array(moving[0].cast<py::array>());
  in.fixed_labels = optional_image<std::uint16_t>(fixed_labels, "fixed_labels");
  in.moving_labels = optional_image<std::uint16_t>(moving_labels, "moving_labels");
  if (fixed_landmarks.is_none() != moving_landmarks.is_none()) {
    throw usage_error("landmark guidance needs both fixed_landmarks and moving_landmarks");
  }
  if (!fixed_landmarks.is_none()) {
    in.landmarks = point_pairs_from(fixed_landmarks.cast<py::array>(),
                                    moving_landmarks.cast<py::array>(), landmark_ids,
                                    landmark_weights);
  }
  in.fixed_mask = optional_image<std::uint8_t>(fixed_mask, "fixed_mask");
  in.rigidity_mask = optional_image<std::uint8_t>(rigidity_mask, "rigidity_mask");
  reg::check_registration_inputs(in);
  if (in.rigidity_mask && config.rigidity.weight <= 0) {
    throw usage_error(
        "rigidity_mask is used by the rigidity penalty, which rigidity.weight 0 switches off; "
        "drop one of them");
  }

  reg::RunContext context;
  context.inputs = in_memory_inputs(in);
  context.seconds_reading =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  py::dict result;
  {
    py::gil_scoped_release free;
    set_thread_count(threads);
    const reg::LevelCallback on_level = level_printer(verbose);
    std::optional<io::OutputFolder> folder;
    std::optional<io::ScratchFolder> scratch;
    fs::path out_dir;
    if (!out.empty()) {
      folder.emplace(out, /*staged=*/true);
      out_dir = folder->write_path();
    }
    json report;
    DisplacementField u;
    std::optional<reg::RegistrationResult> single;
    std::string front_text;
    if (pareto > 0) {
      // The front's outputs are files (front.json, solutions/): written where asked, or to a
      // scratch folder and read back.
      if (out_dir.empty()) {
        scratch.emplace("modir-python-front");
        out_dir = scratch->path();
      }
      context.command = "register --pareto";
      const reg::ParetoFront front = reg::compute_pareto_front(in, config, config.front, on_level);
      const reg::FrontSummary summary = reg::write_front_outputs(
          front, config, in, moving_type, context.inputs, std::nullopt, out_dir);
      context.seconds_total =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      report = reg::front_report(front, summary, in, config, context);
      u = io::read_displacement_field(out_dir / "displacement.nii.gz");
      front_text = read_text(out_dir / "front.json");
    } else {
      single = reg::register_images(in, config, on_level);
      u = reg::displacement_on(*single, in.fixed.geometry());
      transform::JacobianStatistics jacobian;
      if (!out_dir.empty()) {
        const reg::ResultSummary summary =
            reg::write_result_outputs(*single, in, moving_type, out_dir);
        context.seconds_writing = summary.seconds_writing;
        jacobian = summary.jacobian;
      } else {
        jacobian = transform::jacobian_statistics(transform::jacobian_determinant(u));
      }
      context.seconds_total =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      report = reg::registration_report(*single, in, config, jacobian, context);
    }
    if (!out_dir.empty() && folder) io::write_text_file(out_dir / "report.json", report.dump(2) + "\n");
    if (folder) folder->finish();

    Image<float> warped;
    transform::warp_linear(in.moving, u, warped);
    std::optional<LabelMap> warped_labels;
    if (in.moving_labels) warped_labels = transform::warp_labels(*in.moving_labels, u);
    const std::string report_text = report.dump();

    py::gil_scoped_acquire hold;
    result["report"] = report_text;
    result["front"] = front_text.empty() ? py::object(py::none()) : py::object(py::str(front_text));
    result["warped"] = image_pair(AnyImage(std::move(warped)));
    result["warped_labels"] = warped_labels ? py::object(image_pair(AnyImage(std::move(*warped_labels))))
                                            : py::object(py::none());
    result["displacement"] = field_pair(std::move(u));
  }
  return result;
}

py::tuple warp(const py::tuple& image, const py::tuple& field, const std::string& interpolation,
               double outside_value) {
  const DisplacementField u =
      field_from(field[0].cast<py::array>(), field[1].cast<py::dict>(), "displacement");
  const auto array = image[0].cast<py::array>();
  const auto geometry = image[1].cast<py::dict>();
  if (interpolation == "labels") {
    const LabelMap labels = image_from<std::uint16_t>(array, geometry, "labels");
    py::gil_scoped_release free;
    LabelMap warped = transform::warp_labels(labels, u);
    py::gil_scoped_acquire hold;
    return image_pair(AnyImage(std::move(warped)));
  }
  if (interpolation == "nearest") {
    AnyImage moving = any_image_from(array, geometry, "image");
    py::gil_scoped_release free;
    AnyImage warped = std::visit(
        [&](const auto& im) -> AnyImage { return transform::warp_image_nearest(im, u, outside_value); },
        moving);
    py::gil_scoped_acquire hold;
    return image_pair(std::move(warped));
  }
  if (interpolation != "linear") {
    throw usage_error("interpolation '{}': choose linear, nearest or labels", interpolation);
  }
  const Image<float> moving = image_from<float>(array, geometry, "image");
  py::gil_scoped_release free;
  Image<float> warped = transform::warp_image(moving, u, outside_value);
  py::gil_scoped_acquire hold;
  return image_pair(AnyImage(std::move(warped)));
}

// `modir evaluate --json`'s figures (report/evaluation.h) for arrays: the moving labels are
// warped here, as `register` warps them.
std::string evaluate(const py::tuple& field, const py::object& fixed_labels,
                     const py::object& moving_labels, const py::object& fixed_landmarks,
                     const py::object& moving_landmarks, const py::object& landmark_ids,
                     const py::object& true_displacement, const std::vector<int>& bone_labels) {
  const DisplacementField u =
      field_from(field[0].cast<py::array>(), field[1].cast<py::dict>(), "displacement");
  if (fixed_labels.is_none() != moving_labels.is_none()) {
    throw usage_error("label overlap needs both fixed_labels and moving_labels");
  }
  if (fixed_landmarks.is_none() != moving_landmarks.is_none()) {
    throw usage_error("landmark errors need both fixed_landmarks and moving_landmarks");
  }
  const std::optional<LabelMap> fixed = optional_image<std::uint16_t>(fixed_labels, "fixed_labels");
  const std::optional<LabelMap> moving =
      optional_image<std::uint16_t>(moving_labels, "moving_labels");
  std::optional<PointPairs> pairs;
  if (!fixed_landmarks.is_none()) {
    pairs = point_pairs_from(fixed_landmarks.cast<py::array>(), moving_landmarks.cast<py::array>(),
                             landmark_ids, py::none());
  }
  std::optional<DisplacementField> truth;
  if (!true_displacement.is_none()) {
    const auto t = true_displacement.cast<py::tuple>();
    truth = field_from(t[0].cast<py::array>(), t[1].cast<py::dict>(), "true_displacement");
    if (!truth->geometry().same_grid(u.geometry()))
      throw data_error("true_displacement is not on the grid of the displacement");
  }
  std::vector<std::uint16_t> bones;
  for (const int b : bone_labels) {
    if (b < 1 || b > 65535) throw usage_error("bone label {} is not in 1..65535", b);
    bones.push_back(static_cast<std::uint16_t>(b));
  }
  py::gil_scoped_release free;
  json out = json::object();
  if (fixed) {
    if (!fixed->geometry().same_grid(u.geometry()))
      throw data_error("fixed_labels are not on the grid of the displacement (the fixed grid)");
    out["labels"] = report::label_scores(*fixed, transform::warp_labels(*moving, u), {});
  }
  out["jacobian"] = report::jacobian_scores(u);
  if (pairs) {
    PointSet f, m;
    for (std::size_t i = 0; i < pairs->ids.size(); ++i) {
      f.points.push_back({pairs->ids[i], pairs->fixed[i]});
      m.points.push_back({pairs->ids[i], pairs->moving[i]});
    }
    out["landmarks"] = report::landmark_scores(evaluate::target_registration_error(u, f, m));
  }
  if (fixed) out["bone_rigidity"] = report::bone_rigidity_scores(u, *fixed, bones);
  if (truth) {
    out["field_error"] = report::field_error_scores(
        evaluate::field_error(u, *truth, fixed ? &*fixed : nullptr), fixed.has_value());
  }
  return out.dump();
}

py::dict phantom_pair(std::uint64_t seed, const std::string& size, const std::string& deformation,
                      bool variety, bool couch) {
  phantom::PhantomOptions o;
  o.seed = seed;
  if (size == "small") {
    o.size = phantom::PhantomSize::kSmall;
  } else if (size == "medium") {
    o.size = phantom::PhantomSize::kMedium;
  } else if (size == "large") {
    o.size = phantom::PhantomSize::kLarge;
  } else {
    throw usage_error("phantom size '{}': choose small, medium or large", size);
  }
  if (deformation == "none") {
    o.deformation = phantom::DeformationLevel::kNone;
  } else if (deformation == "moderate") {
    o.deformation = phantom::DeformationLevel::kModerate;
  } else if (deformation == "large") {
    o.deformation = phantom::DeformationLevel::kLarge;
  } else {
    throw usage_error("phantom deformation '{}': choose none, moderate or large", deformation);
  }
  o.variety = variety;
  o.couch = couch;
  phantom::PhantomPair pair = [&] {
    py::gil_scoped_release free;
    return phantom::generate_pair(o);
  }();
  py::dict d;
  d["fixed"] = image_pair(AnyImage(std::move(pair.fixed.image)));
  d["fixed_labels"] = image_pair(AnyImage(std::move(pair.fixed.labels)));
  d["moving"] = image_pair(AnyImage(std::move(pair.moving.image)));
  d["moving_labels"] = image_pair(AnyImage(std::move(pair.moving.labels)));
  d["true_displacement"] = field_pair(std::move(pair.ground_truth));
  d["fixed_landmarks"] = points_pair(pair.fixed_landmarks);
  d["moving_landmarks"] = points_pair(pair.moving_landmarks);
  d["meta"] = pair.meta.dump();
  return d;
}

// Organ labels on the image's grid from a segmentation model (the shipped pelvis model by
// default), with the quality check `segment predict` writes as .qc.json.
py::tuple segment(const py::tuple& image, const std::string& model_dir, bool qc,
                  const std::string& device, int threads, bool verbose) {
  const fs::path model = model_dir.empty() ? learn::shipped_model("pelvis") : fs::path(model_dir);
  const Image<float> scan = image_from<float>(image[0].cast<py::array>(),
                                              image[1].cast<py::dict>(), "image");
  std::string qc_text;
  LabelMap labels;
  {
    py::gil_scoped_release free;
    set_thread_count(threads);
    Progress progress(verbose ? ProgressStyle::kLines : ProgressStyle::kQuiet);
    const learn::Segmenter segmenter(model, learn::parse_device(device));
    const learn::PredictOptions options;
    labels = segmenter.predict(scan, options, progress);
    if (qc) {
      const learn::QcReport report =
          learn::check_prediction(segmenter, model, scan, labels, options, progress);
      qc_text = learn::qc_to_json(report, "memory", "memory", model.string()).dump();
    }
  }
  py::object qc_json = qc_text.empty() ? py::object(py::none()) : py::object(py::str(qc_text));
  return py::make_tuple(image_pair(AnyImage(std::move(labels))), qc_json);
}

// `modir dataset check` on a manifest: the findings as JSON text (docs/dataset.md).
std::string dataset_check(const std::string& manifest, const std::string& split, int threads,
                          bool verbose) {
  py::gil_scoped_release free;
  set_thread_count(threads);
  Progress progress(verbose ? ProgressStyle::kLines : ProgressStyle::kQuiet);
  std::optional<dataset::Split> chosen;
  if (!split.empty()) chosen = dataset::read_split(split);
  const dataset::CheckResult result =
      dataset::check_dataset(dataset::read_manifest(manifest), chosen, progress);
  json report = dataset::to_json(result);
  report["split"] = split.empty() ? json(nullptr) : json(split);  // as the command line says it
  return report.dump();
}

}  // namespace

PYBIND11_MODULE(_modir, m) {
  m.doc() = "modir's C++ library (use the modir package, which wraps this module)";
  m.attr("version") = kVersion;

  // modir's errors keep their message; usage errors (a wrong argument or config) and data errors
  // (unusable input) become the package's UsageError and DataError.
  static py::exception<Error> error(m, "Error", PyExc_RuntimeError);
  static py::exception<Error> usage(m, "UsageError", error.ptr());
  static py::exception<Error> data(m, "DataError", error.ptr());
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      PyErr_SetString(e.kind() == ErrorKind::kUsage ? usage.ptr() : data.ptr(), e.what());
    }
  });

  m.def("read_image", &read_image, py::arg("path"), py::arg("replace_nonfinite") = py::none());
  m.def("read_labels", &read_labels, py::arg("path"));
  m.def("read_displacement", &read_displacement, py::arg("path"));
  m.def("write_image", &write_image, py::arg("array"), py::arg("geometry"), py::arg("path"));
  m.def("write_displacement", &write_displacement, py::arg("array"), py::arg("geometry"),
        py::arg("path"));
  m.def("read_points", &read_points, py::arg("path"));
  m.def("register", &register_arrays, py::arg("fixed"), py::arg("moving"),
        py::arg("fixed_labels"), py::arg("moving_labels"), py::arg("fixed_landmarks"),
        py::arg("moving_landmarks"), py::arg("landmark_ids"), py::arg("landmark_weights"),
        py::arg("fixed_mask"), py::arg("rigidity_mask"), py::arg("config_json"),
        py::arg("pareto"), py::arg("out"), py::arg("threads"), py::arg("verbose"));
  m.def("warp", &warp, py::arg("image"), py::arg("field"), py::arg("interpolation"),
        py::arg("outside_value"));
  m.def("evaluate", &evaluate, py::arg("field"), py::arg("fixed_labels"),
        py::arg("moving_labels"), py::arg("fixed_landmarks"), py::arg("moving_landmarks"),
        py::arg("landmark_ids"), py::arg("true_displacement"), py::arg("bone_labels"));
  m.def("segment", &segment, py::arg("image"), py::arg("model"), py::arg("qc"),
        py::arg("device"), py::arg("threads"), py::arg("verbose"));
  m.def("dataset_check", &dataset_check, py::arg("manifest"), py::arg("split"),
        py::arg("threads"), py::arg("verbose"));
  m.def("phantom", &phantom_pair, py::arg("seed"), py::arg("size"), py::arg("deformation"),
        py::arg("variety"), py::arg("couch"));
}

}  // namespace modir::python
