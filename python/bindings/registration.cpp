// modir.register: a registration (single run or front) of arrays, as `modir register` runs it.

#include "functions.h"

#include <chrono>
#include <fstream>
#include <optional>

#include <fmt/format.h>

#include "modir/core/error.h"
#include "modir/core/parallel.h"
#include "modir/io/output_file.h"
#include "modir/io/output_folder.h"
#include "modir/io/scratch_folder.h"
#include "modir/register/front_outputs.h"
#include "modir/register/input_files.h"
#include "modir/register/registration.h"
#include "modir/register/result_outputs.h"
#include "modir/register/run_report.h"
#include "modir/transform/jacobian.h"

namespace modir::python {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// JSON crosses as text: Python's json module turns it into dicts (modir/__init__.py).
std::string config_text_or_empty(const py::object& config) {
  return config.is_none() ? std::string{} : config.cast<std::string>();
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

}  // namespace

py::dict register_arrays(const py::tuple& fixed, const py::tuple& moving,
                         const py::object& fixed_labels, const py::object& moving_labels,
                         const py::object& fixed_landmarks, const py::object& moving_landmarks,
                         const py::object& landmark_weights, const py::object& fixed_mask,
                         const py::object& rigidity_mask, const py::object& config_json, int pareto,
                         const std::string& out, int threads, bool verbose) {
  const auto start = std::chrono::steady_clock::now();
  // From the copies of the arrays on, as the command line holds it from reading the files on.
  const KeepLargeBlocks keep;
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
    // Paired by id, as the command line pairs landmark files; weights follow the fixed rows.
    in.landmarks = pair_by_id(point_set_from(fixed_landmarks, "fixed_landmarks"),
                              point_set_from(moving_landmarks, "moving_landmarks"));
    if (!landmark_weights.is_none())
      in.landmarks->weights = landmark_weights.cast<std::vector<double>>();
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
    const Working working;
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
    reg::ResultImages images;
    std::string front_text;
    if (pareto > 0) {
      // The front's outputs are files (front.json, solutions/): written where asked, or to a
      // scratch folder whose front.json is read back.
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
      images = reg::result_images(reg::solution_result(front, summary.knee), in);
      front_text = read_text(out_dir / "front.json");
    } else {
      const reg::RegistrationResult single = reg::register_images(in, config, on_level);
      images = reg::result_images(single, in);
      const transform::JacobianStatistics jacobian =
          transform::jacobian_statistics(images.jacobian);
      if (!out_dir.empty()) {
        const auto writing = std::chrono::steady_clock::now();
        reg::write_result_images(images, single, moving_type, out_dir);
        context.seconds_writing =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - writing).count();
      }
      context.fiducial_markers = reg::fiducial_marker_report(in.fixed, in.moving, images.displacement);
      context.seconds_total =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      report = reg::registration_report(single, in, config, jacobian, context);
    }
    if (folder) {
      io::write_text_file(out_dir / "report.json", report.dump(2) + "\n");
      folder->finish();
    }
    const std::string report_text = report.dump();

    py::gil_scoped_acquire hold;
    result["report"] = report_text;
    result["front"] = front_text.empty() ? py::object(py::none()) : py::object(py::str(front_text));
    result["warped"] = image_pair(AnyImage(std::move(images.warped)));
    result["warped_labels"] =
        images.warped_labels ? py::object(image_pair(AnyImage(std::move(*images.warped_labels))))
                             : py::object(py::none());
    result["displacement"] = field_pair(std::move(images.displacement));
  }
  return result;
}

}  // namespace modir::python
