// `modir landmarks`: corresponding points found by modir itself. `detect` writes the keypoints of
// one scan; `match` pairs points of two scans (classical: Förstner keypoints, MIND-SSC
// descriptors, mutual nearest neighbours, ratio test, neighbour consistency).

#include <chrono>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "modir/core/error.h"
#include "modir/core/log.h"
#include "modir/io/image_io.h"
#include "modir/io/output_file.h"
#include "modir/io/output_folder.h"
#include "modir/io/point_io.h"
#include "modir/landmarks/match_outputs.h"
#include "modir/landmarks/matcher.h"
#include "modir/landmarks/training_pairs.h"
#include "modir/learn/landmark_network.h"
#include "modir/register/input_files.h"

namespace modir::cli {

namespace {

struct DetectOptions {
  std::string image;
  std::string out;
  std::size_t max = 400;
  std::string method = "classical";
  std::string model;
  std::string device = "cpu";
};

struct TrainCliOptions {
  std::vector<std::string> pairs;
  std::string out;
  std::string device = "cpu";
  learn::LandmarkTrainOptions train;
};

struct MatchCliOptions {
  reg::RegistrationPaths paths;
  std::string out;
  std::string method = "classical";
  std::string model;
  std::string device = "cpu";
  std::string true_displacement;
  landmarks::MatchOptions match;
};

int run_detect(const DetectOptions& o, const GlobalOptions& global) {
  landmarks::MatchOptions options;
  options.method = landmarks::parse_match_method(o.method);
  options.learned_model = o.model;
  options.device = learn::parse_device(o.device);
  if (options.method == landmarks::MatchMethod::kLearned) learn::require_networks();
  const Image<float> scan = io::read_image_as<float>(o.image);
  landmarks::KeypointOptions keypoints = options.fixed_keypoints;
  keypoints.max_count = o.max;
  const std::vector<landmarks::Keypoint> found =
      landmarks::detect_scan_keypoints(scan, options, keypoints);
  if (found.empty()) {
    throw data_error("'{}' shows no structure to detect keypoints on (is it one value throughout?)",
                     o.image);
  }
  PointSet points;
  for (std::size_t i = 0; i < found.size(); ++i)
    points.points.push_back({fmt::format("keypoint_{:04d}", i + 1), found[i].position});
  io::write_points(points, o.out);
  if (!global.quiet) fmt::print("{} keypoints of {} written to {}\n", found.size(), o.image, o.out);
  return 0;
}

int run_match(MatchCliOptions o, const GlobalOptions& global) {
  o.match.method = landmarks::parse_match_method(o.method);
  o.match.learned_model = o.model;
  o.match.device = learn::parse_device(o.device);
  if (o.match.method == landmarks::MatchMethod::kLearned) learn::require_networks();
  const auto start = std::chrono::steady_clock::now();
  const reg::RegistrationInputs in = reg::read_registration_inputs(o.paths, nullptr);
  std::optional<DisplacementField> truth;
  if (!o.true_displacement.empty()) {
    truth = io::read_displacement_field(o.true_displacement);
    if (!truth->geometry().same_grid(in.fixed.geometry())) {
      throw data_error("'{}' is not on the grid of the fixed scan '{}'", o.true_displacement,
                       o.paths.fixed);
    }
  }
  io::OutputFolder folder(o.out, /*staged=*/true);
  const landmarks::MatchResult result =
      landmarks::match_landmarks(in.fixed, in.moving, in.fixed_labels ? &*in.fixed_labels : nullptr,
                                 in.moving_labels ? &*in.moving_labels : nullptr, o.match);
  if (result.matches.empty()) throw data_error("no landmark pairs found: {}", result.message);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<double> errors;
  if (truth) errors = landmarks::match_errors(result, *truth);
  nlohmann::json summary = landmarks::match_summary(result, o.match, truth ? &errors : nullptr);
  summary["seconds"] = seconds;
  summary["inputs"] = reg::describe_inputs(o.paths);
  if (truth) summary["inputs"]["true_displacement"] = o.true_displacement;
  landmarks::write_match_outputs(folder.write_path(), in.fixed, result, summary,
                                 truth ? &errors : nullptr);
  folder.finish();
  if (!global.quiet) {
    fmt::print(
        "{} landmark pairs ({} by mutual matching, {} by guided search; {} rejected as "
        "inconsistent, {} for disagreeing labels) in {:.1f} s, written to {}\n",
        result.matches.size(),
        result.matches.size() - summary["found_by_guided_search"].get<std::size_t>(),
        summary["found_by_guided_search"].get<std::size_t>(), result.counts.inconsistent,
        result.counts.label_disagreement, seconds, o.out);
    if (truth) {
      const auto& e = summary["error_against_truth_mm"];
      fmt::print(
          "  against the true displacement: median {:.2f} mm, p95 {:.2f} mm, max {:.2f} "
          "mm, {:.1f} % within 3 mm\n",
          e["median"].get<double>(), e["p95"].get<double>(), e["max"].get<double>(),
          100.0 * e["share_within_3mm"].get<double>());
    }
  }
  return 0;
}

int run_train(TrainCliOptions o, const GlobalOptions& global) {
  learn::require_networks();  // before the pairs are read
  o.train.device = learn::parse_device(o.device);
  std::vector<std::filesystem::path> folders(o.pairs.begin(), o.pairs.end());
  const auto start = std::chrono::steady_clock::now();
  const std::vector<learn::LandmarkTrainingPair> pairs =
      landmarks::read_landmark_training_pairs(folders, o.train.spec.spacing_mm);
  io::OutputFolder folder(o.out, /*staged=*/true);
  o.train.out = folder.write_path();
  Progress progress(global.quiet ? ProgressStyle::kQuiet : ProgressStyle::kAuto);
  const learn::LandmarkTrainResult result = learn::train_landmark_network(pairs, o.train, progress);
  folder.finish();
  if (!global.quiet) {
    const learn::LandmarkTrainRecord& last = result.log.back();
    fmt::print(
        "landmark network trained on {} pairs, {} steps in {:.0f} s: loss {:.3f}, {:.1f} % of "
        "points matched to their partner (last {} steps); written to {}\n",
        pairs.size(), last.step,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), last.loss,
        100.0 * last.match_accuracy,
        result.log.size() > 1 ? last.step - result.log[result.log.size() - 2].step : last.step,
        o.out);
  }
  return 0;
}

}  // namespace

CommandAction add_landmarks_command(CLI::App& app, const GlobalOptions& global) {
  auto detect = std::make_shared<DetectOptions>();
  auto match = std::make_shared<MatchCliOptions>();
  CLI::App* command = app.add_subcommand(
      "landmarks",
      "Corresponding points found by modir: detect keypoints, match two scans, train the "
      "learned method");
  command->require_subcommand(1);

  CLI::App* d = command->add_subcommand("detect", "Distinctive points of one scan (Förstner)");
  d->fallthrough();
  d->add_option("--image", detect->image, "the scan")->required();
  d->add_option("--out", detect->out, "points file to write (.csv, .txt, .mrk.json)")->required();
  d->add_option("--max", detect->max, "at most this many keypoints")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  d->add_option("--method", detect->method,
                "classical (Förstner) or learned (the landmark network's heat map)")
      ->capture_default_str();
  d->add_option("--model", detect->model, "learned: the model folder (default: models/landmarks)");
  d->add_option("--device", detect->device, "learned: cpu or cuda (default cpu)");

  CLI::App* m = command->add_subcommand(
      "match",
      "Pair points of two scans: fixed_landmarks.csv and moving_landmarks.csv (register's "
      "--fixed-landmarks/--moving-landmarks), matches.csv, summary.json, landmarks.png");
  m->fallthrough();
  reg::RegistrationPaths& p = match->paths;
  m->add_option("--fixed", p.fixed, "fixed scan")->required();
  m->add_option("--moving", p.moving, "moving scan")->required();
  m->add_option("--fixed-series", p.fixed_series, "series UID when --fixed holds several");
  m->add_option("--moving-series", p.moving_series, "series UID when --moving holds several");
  m->add_option("--fixed-labels", p.fixed_labels,
                "organ labels of the fixed scan: with --moving-labels, pairs whose labels "
                "disagree are dropped");
  m->add_option("--moving-labels", p.moving_labels, "organ labels of the moving scan");
  m->add_option("--out", match->out, "output folder")->required();
  m->add_option("--method", match->method,
                "classical (Förstner keypoints, MIND-SSC descriptors) or learned (the landmark "
                "network's keypoints and descriptors)")
      ->capture_default_str();
  m->add_option("--model", match->model, "learned: the model folder (default: models/landmarks)");
  m->add_option("--device", match->device, "learned: cpu or cuda (default cpu)");
  landmarks::MatchOptions& mo = match->match;
  m->add_option("--max", mo.max_pairs,
                "keep at most this many pairs, most confident first (0: all)")
      ->capture_default_str();
  m->add_option("--search-radius", mo.search_radius_mm,
                "mm: a partner is sought this far from the same world point")
      ->capture_default_str()
      ->check(CLI::Range(2.0, 500.0));
  m->add_option("--max-ratio", mo.max_ratio, "ratio test: best / second-best descriptor distance")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 1.0));
  m->add_option("--outline-max-ratio", mo.outline_max_ratio,
                "the ratio test for an organ with too few matches of its own, sought where its "
                "outlines in the label maps say it went")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 1.0));
  m->add_option("--polish-radius", mo.polish_radius_mm,
                "learned: mm within which each pair is placed where MIND-SSC fits best (0: off)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 20.0));
  m->add_option("--true-displacement", match->true_displacement,
                "a known field on the fixed grid (a phantom's gt_displacement.nii.gz): score every "
                "pair against it");

  auto train = std::make_shared<TrainCliOptions>();
  CLI::App* t = command->add_subcommand(
      "train",
      "Train the learned method's network on scan pairs with their true displacement "
      "(folders as 'modir phantom' writes them); writes a model folder like models/landmarks");
  t->fallthrough();
  t->add_option("--pairs", train->pairs,
                "pair folders (fixed.nii.gz, moving.nii.gz, "
                "gt_displacement.nii.gz)")
      ->required()
      ->expected(1, -1);
  t->add_option("--out", train->out, "the model folder to write")->required();
  learn::LandmarkTrainOptions& to = train->train;
  t->add_option("--steps", to.steps, "training steps (one patch pair each)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  t->add_option("--patch", to.patch, "voxels per side of a training patch (multiple of 4)")
      ->capture_default_str();
  t->add_option("--points", to.points, "corresponding points per patch pair")
      ->capture_default_str()
      ->check(CLI::Range(8, 4096));
  t->add_option("--learning-rate", to.learning_rate, "Adam's initial rate (falls to a tenth)")
      ->capture_default_str()
      ->check(CLI::Range(1e-6, 1.0));
  t->add_option("--synthetic-fraction", to.synthetic_fraction,
                "share of steps on a single scan deformed at random")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  t->add_option("--seed", to.seed, "random seed (patches, deformations, initial weights)")
      ->capture_default_str();
  t->add_option("--device", train->device, "cpu or cuda (default cpu)");

  return [detect, match, train, d, m, t, &global]() -> int {
    if (d->parsed()) return run_detect(*detect, global);
    if (m->parsed()) return run_match(*match, global);
    if (t->parsed()) return run_train(*train, global);
    throw usage_error("modir landmarks needs detect, match or train; see 'modir landmarks --help'");
  };
}

}  // namespace modir::cli
