// `modir register`: deformable registration of a moving scan onto a fixed scan, optionally guided
// by organ labels and landmarks.

#include <algorithm>
#include <chrono>
#include <utility>

#include <fmt/format.h>

#include "commands.h"
#include "memory_limit.h"
#include "modir/clinical/guidance_qc.h"
#include "modir/core/error.h"
#include "modir/io/image_io.h"
#include "modir/io/label_map_io.h"
#include "modir/io/output_file.h"
#include "modir/io/output_folder.h"
#include "modir/io/point_io.h"
#include "modir/landmarks/auto_guidance.h"
#include "modir/landmarks/matching_memory.h"
#include "modir/learn/segmenter.h"
#include "modir/register/front_outputs.h"
#include "modir/register/input_files.h"
#include "modir/register/memory_estimate.h"
#include "modir/register/registration.h"
#include "modir/register/result_outputs.h"
#include "modir/register/run_report.h"

namespace modir::cli {

namespace fs = std::filesystem;

namespace {

struct RegisterCommandOptions {
  reg::RegistrationPaths paths;
  std::string out;
  std::string config;
  std::optional<int> pareto;
  std::string truth;
  std::string landmarks;                      ///< "auto": match landmarks and guide with them
  std::string landmark_method = "classical";  ///< how --landmarks auto matches them
  std::string device = "cpu";                 ///< where the learned landmark network runs
  clinical::LabelQcPaths label_qc;
  bool dry_run = false;
  std::optional<double> max_memory_mib;
};

// The peak memory the run will need on this fixed grid with this many guiding organ labels:
// printed when `print` (--dry-run), and a run that would not fit (--max-memory, else the memory
// available now) is refused before it starts.
// With --landmarks auto the matcher runs first, in the same process; the larger of the two peaks
// counts (the matcher's memory is freed before the registration starts).
reg::MemoryEstimate check_memory(const RegisterCommandOptions& options,
                                 const reg::RegistrationConfig& config, const Geometry& fixed,
                                 const Geometry& moving, int organs, bool print) {
  reg::MemoryEstimate e = reg::estimate_registration_memory(fixed, config, organs,
                                                            options.pareto ? *options.pareto : 0);
  std::string matching;
  if (!options.landmarks.empty()) {
    const double matcher = landmarks::estimate_matching_memory_mib(
        fixed, moving, landmarks::MatchOptions{}.spacing_mm, options.landmark_method == "learned");
    matching = fmt::format(", landmark matching {:.0f} MiB", matcher);
    e.peak_mib = std::max(e.peak_mib, matcher);
  }
  check_memory_limit(
      e.peak_mib, options.max_memory_mib, print, "this registration",
      fmt::format("{:.1f} million voxels at the finest level, {} guiding organ label(s){}{}",
                  e.working_megavoxels, organs,
                  e.front_solutions ? fmt::format(", a front of {}", e.front_solutions) : "",
                  matching),
      e.how_to_reduce);
  return e;
}

// A `modir phantom` pair's folder (or any folder with the same file names) as ground truth.
reg::FrontTruth read_truth(const fs::path& dir) {
  reg::FrontTruth t;
  t.fixed_labels = io::read_label_map(dir / "fixed_labels.nii.gz");
  t.moving_labels = io::read_label_map(dir / "moving_labels.nii.gz");
  t.fixed_landmarks = io::read_points(dir / "fixed_landmarks.csv");
  t.moving_landmarks = io::read_points(dir / "moving_landmarks.csv");
  return t;
}

std::string level_line(const reg::LevelLog& log) {
  std::string terms;
  for (const reg::TermValue& t : log.end_terms)
    terms += fmt::format(", {} {:.4g}", t.name, t.value);
  const double start = log.history.empty() ? 0.0 : log.history.front();
  const double end = log.history.empty() ? 0.0 : log.history.back();
  std::string grid = fmt::format("{}x{}x{} at {:.2g} mm", log.grid.size[0], log.grid.size[1],
                                 log.grid.size[2], log.grid.spacing.x);
  if (log.control_spacing_mm > 0)
    grid += fmt::format(", control points {:.3g} mm", log.control_spacing_mm);
  return fmt::format("{} level {} ({}): {} iterations, E {:.5g} -> {:.5g}{} [{:.1f} s, {}]",
                     log.stage, log.level + 1, grid, log.iterations, start, end, terms, log.seconds,
                     log.stop_reason);
}

// One line on the markers both scans hold, where they do (report.json has each pair).
void print_fiducial_markers(const nlohmann::json& markers) {
  if (markers.is_null()) return;
  fmt::print("fiducial markers: {} paired of {} (fixed) and {} (moving)",
             markers["paired"].get<int>(), markers["fixed_found"].get<int>(),
             markers["moving_found"].get<int>());
  if (markers["paired"].get<int>() > 0)
    fmt::print(", carried to {:.2f} mm of their partners on the mean, {:.2f} mm at most",
               markers["mean_residual_mm"].get<double>(), markers["max_residual_mm"].get<double>());
  fmt::print("\n");
}

// `context` holds what the run knows before registering (inputs, QC, reading time, estimate).
int run_front(const RegisterCommandOptions& options, const fs::path& out_dir,
              const reg::RegistrationConfig& config, const reg::RegistrationInputs& inputs,
              PixelType moving_type, const reg::LevelCallback& on_level,
              std::chrono::steady_clock::time_point start, reg::RunContext context) {
  std::optional<reg::FrontTruth> truth;
  if (!options.truth.empty()) truth = read_truth(options.truth);
  const reg::ParetoFront front = reg::compute_pareto_front(inputs, config, config.front, on_level);
  const reg::FrontSummary summary =
      reg::write_front_outputs(front, config, inputs, moving_type, context.inputs, truth, out_dir);
  context.command = "register --pareto";
  const double total =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  context.seconds_total = total;
  const nlohmann::json report = reg::front_report(front, summary, inputs, config, context);
  io::write_text_file(out_dir / "report.json", report.dump(2) + "\n");
  fmt::print(
      "front of {} non-dominated solutions ({} runs) in {:.1f} s: hypervolume {:.3f}, knee = "
      "solution {}; "
      "outputs in {}\n",
      summary.non_dominated, front.solutions.size(), total, summary.hypervolume, summary.knee,
      options.out);
  print_fiducial_markers(summary.knee_fiducial_markers);
  return 0;
}

int run_register(const RegisterCommandOptions& options, const GlobalOptions& global) {
  reg::RegistrationConfig config = options.config.empty()
                                       ? reg::RegistrationConfig{}
                                       : reg::read_registration_config(options.config);
  if (options.pareto) config.front.solutions = *options.pareto;
  if (!options.truth.empty() && !options.pareto) {
    throw usage_error("--truth scores the solutions of --pareto N; add --pareto");
  }
  reg::validate(config);
  const bool auto_landmarks = !options.landmarks.empty();
  if (auto_landmarks && options.landmarks != "auto") {
    throw usage_error(
        "--landmarks {}: the only mode is 'auto' (files go to --fixed-landmarks "
        "and --moving-landmarks)",
        options.landmarks);
  }
  if (auto_landmarks && !options.paths.fixed_landmarks.empty()) {
    throw usage_error(
        "--landmarks auto finds the landmarks itself; drop --fixed-landmarks and "
        "--moving-landmarks, or drop --landmarks auto");
  }
  if (auto_landmarks) landmarks::check_auto_landmarks_config(config);
  landmarks::MatchOptions match_options;
  match_options.method = landmarks::parse_match_method(options.landmark_method);
  // The registration itself runs on the CPU: a GPU asked for where no network runs would be
  // silently idle.
  const bool learned_landmarks =
      auto_landmarks && match_options.method == landmarks::MatchMethod::kLearned;
  if (options.device == "cuda" && !learned_landmarks) {
    throw usage_error(
        "--device {} runs the learned landmark network, which needs --landmarks auto "
        "--landmark-method learned; the registration itself runs on the CPU",
        options.device);
  }
  match_options.device = learn::parse_device(options.device);
  if (learned_landmarks) learn::require_networks();
  if (!options.paths.rigidity_mask.empty() && config.rigidity.weight <= 0) {
    throw usage_error(
        "--rigidity-mask is used by the rigidity penalty, which rigidity.weight 0 "
        "switches off; drop one of them");
  }
  const fs::path out = options.out;
  for (const std::string* input : {&options.paths.fixed, &options.paths.moving,
                                   &options.paths.fixed_labels, &options.paths.moving_labels}) {
    if (!input->empty() && fs::exists(out) && fs::equivalent(out, *input)) {
      throw usage_error("--out {} is one of the inputs; choose a new folder", options.out);
    }
  }
  // From the header alone first, without the organs (which only lower the estimate): a header
  // claiming a vast volume is refused before anything is allocated.
  io::ReadOptions fixed_header;
  fixed_header.dicom_series_uid = options.paths.fixed_series;
  fixed_header.dicom_series_option = "--fixed-series";
  const Geometry fixed_grid = io::read_image_info(options.paths.fixed, fixed_header).geometry;
  io::ReadOptions moving_header;
  moving_header.dicom_series_uid = options.paths.moving_series;
  moving_header.dicom_series_option = "--moving-series";
  const Geometry moving_grid = io::read_image_info(options.paths.moving, moving_header).geometry;
  check_memory(options, config, fixed_grid, moving_grid, 0, false);
  // Held to the end: created if missing (and removed again on Ctrl-C), locked against a second
  // run writing into it; an existing folder gets the new outputs only when all are written, so
  // an interrupted run leaves it as it was. A dry run writes nothing.
  std::optional<io::OutputFolder> folder;
  if (!options.dry_run) folder.emplace(out, /*staged=*/true);
  const auto start = std::chrono::steady_clock::now();
  PixelType moving_type = PixelType::kFloat32;
  nlohmann::json label_pairing;
  reg::RegistrationInputs inputs =
      reg::read_registration_inputs(options.paths, &moving_type, &label_pairing);
  int organs = 0;
  if (inputs.fixed_labels) {
    std::vector<char> seen(65536, 0);
    for (const std::uint16_t v : inputs.fixed_labels->buffer()) seen[v] = 1;
    organs = static_cast<int>(std::count(seen.begin() + 1, seen.end(), char{1}));
  }
  const reg::MemoryEstimate memory =
      check_memory(options, config, fixed_grid, moving_grid, organs, options.dry_run);
  if (options.dry_run) return 0;
  clinical::LabelQcPaths qc_paths = options.label_qc;
  qc_paths.fixed_labels = options.paths.fixed_labels;
  qc_paths.moving_labels = options.paths.moving_labels;
  const nlohmann::json label_qc = clinical::apply_label_qc(qc_paths, inputs, config);
  nlohmann::json auto_report = nullptr;
  if (auto_landmarks) {
    auto_report = landmarks::add_auto_landmarks(inputs, folder->write_path() / "auto_landmarks",
                                                match_options);
    if (!global.quiet && inputs.landmarks) {
      fmt::print(stderr, "automatic landmarks: {} pairs in {:.1f} s (auto_landmarks/)\n",
                 inputs.landmarks->ids.size(), auto_report["seconds"].get<double>());
    }
  }
  const double seconds_reading =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const auto on_level = [&](const reg::LevelLog& log) {
    if (!global.quiet) fmt::print(stderr, "{}\n", level_line(log));
  };
  reg::RunContext context;
  context.inputs = reg::describe_inputs(options.paths);
  context.label_pairing = label_pairing;
  context.auto_landmarks = auto_report;
  context.label_qc = label_qc;
  context.seconds_reading = seconds_reading;
  context.estimated_peak_memory_mib = memory.peak_mib;
  if (options.pareto) {
    const int code = run_front(options, folder->write_path(), config, inputs, moving_type, on_level,
                               start, std::move(context));
    folder->finish();
    return code;
  }
  const reg::RegistrationResult result = reg::register_images(inputs, config, on_level);
  const fs::path out_dir = folder->write_path();
  const reg::ResultSummary summary =
      reg::write_result_outputs(result, inputs, moving_type, out_dir);
  const double total =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const auto& j = summary.jacobian;
  context.seconds_writing = summary.seconds_writing;
  context.seconds_total = total;
  context.fiducial_markers = summary.fiducial_markers;
  const nlohmann::json report = reg::registration_report(result, inputs, config, j, context);
  io::write_text_file(out_dir / "report.json", report.dump(2) + "\n");
  folder->finish();
  fmt::print(
      "registered {} onto {} ({}) in {:.1f} s: folded fraction {:.3g}, Jacobian {:.3f}..{:.3f}; "
      "outputs in {}\n",
      options.paths.moving, options.paths.fixed, result.model, total, j.folded_fraction, j.min,
      j.max, options.out);
  print_fiducial_markers(summary.fiducial_markers);
  return 0;
}

}  // namespace

CommandAction add_register_command(CLI::App& app, const GlobalOptions& global) {
  auto options = std::make_shared<RegisterCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "register",
      "Register a moving scan onto a fixed scan (affine, then B-spline or SVF deformable)");
  reg::RegistrationPaths& p = options->paths;
  command->add_option("--fixed", p.fixed, "fixed image (its grid is the output grid)")->required();
  command->add_option("--moving", p.moving, "moving image")->required();
  command->add_option("--fixed-series", p.fixed_series,
                      "DICOM series UID of the fixed scan, where its folder holds several");
  command->add_option("--moving-series", p.moving_series,
                      "DICOM series UID of the moving scan, where its folder holds several");
  command->add_option("--out", options->out, "output folder")->required();
  command->add_option("--fixed-labels", p.fixed_labels,
                      "organ labels of the fixed image (guidance)");
  command->add_option("--moving-labels", p.moving_labels,
                      "organ labels of the moving image (guidance)");
  command->add_option("--fixed-qc", options->label_qc.fixed,
                      "QC of the fixed labels (segment predict's .qc.json): organs it calls "
                      "unreliable do not guide");
  command->add_option("--moving-qc", options->label_qc.moving,
                      "QC of the moving labels: organs it calls unreliable do not guide");
  command->add_option("--landmarks", options->landmarks,
                      "auto: find corresponding landmarks (modir landmarks match) and guide with "
                      "them, weighted by confidence squared under guidance.auto_landmark_weight; "
                      "written to OUT/auto_landmarks/");
  command
      ->add_option("--landmark-method", options->landmark_method,
                   "how --landmarks auto matches: classical or learned (models/landmarks)")
      ->capture_default_str();
  command
      ->add_option("--device", options->device,
                   "where --landmark-method learned runs its network: cpu or cuda (the "
                   "registration itself runs on the CPU)")
      ->capture_default_str();
  command->add_option("--fixed-landmarks", p.fixed_landmarks,
                      "landmarks of the fixed image (guidance)");
  command->add_option("--moving-landmarks", p.moving_landmarks,
                      "landmarks of the moving image, paired by id");
  command->add_option("--fixed-mask", p.fixed_mask,
                      "evaluate image terms only where this mask is nonzero");
  command->add_option("--rigidity-mask", p.rigidity_mask,
                      "bone on the fixed grid (nonzero = rigid) for the rigidity penalty; "
                      "otherwise rigidity.mask in the config decides");
  command->add_option("--config", options->config,
                      "JSON config (docs/registration.md lists every key)");
  command
      ->add_option(
          "--pareto", options->pareto,
          "compute a Pareto front of N fold-free trade-offs (front.json; knee outputs in --out)")
      ->check(CLI::Range(2, 200));
  command->add_option("--truth", options->truth,
                      "with --pareto: a folder with ground truth (fixed/moving_labels.nii.gz, "
                      "fixed/moving_landmarks.csv) to score every solution");
  add_memory_options(*command, options->dry_run, options->max_memory_mib);
  return [options, &global] { return run_register(*options, global); };
}

}  // namespace modir::cli
