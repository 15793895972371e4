// `modir segment`: organ label maps from a 3D U-Net (LibTorch). `train` configures a network
// from the data (nnU-Net's recipe) and trains it into a model folder; `predict` labels a scan
// with a model folder, by default the pelvis model shipped in models/pelvis.

#include <chrono>
#include <cmath>
#include <optional>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "memory_limit.h"
#include "modir/core/error.h"
#include "modir/core/log.h"
#include "modir/core/progress.h"
#include "modir/filter/dense_objects.h"
#include "modir/io/image_io.h"
#include "modir/io/label_map_io.h"
#include "modir/io/output_file.h"
#include "modir/learn/metal_check.h"
#include "modir/learn/organ_statistics.h"
#include "modir/learn/plan.h"
#include "modir/learn/predict_memory.h"
#include "modir/learn/quality_check.h"
#include "modir/learn/segmenter.h"
#include "modir/learn/train.h"
#include "modir/learn/train_memory.h"
#include "modir/learn/train_options_json.h"
#include "modir/learn/training_set.h"

namespace modir::cli {

namespace fs = std::filesystem;

namespace {

struct SegmentTrainOptions {
  learn::TrainOptions train;
  std::string manifest, out, device = "cpu", spacing, patch_size;
  std::optional<int> validation_fold, base_channels, levels, batch_size;
  bool no_mixed_precision = false;
  bool dry_run = false;
  std::optional<double> max_memory_mib;
};

struct SegmentPredictOptions {
  std::string model, image, series, out, device = "cpu";
  learn::PredictOptions predict;
  bool no_qc = false;
  bool dry_run = false;
  std::optional<double> max_memory_mib;
};

// The peak memory predicting on this scan will need, from its header alone: printed with
// --dry-run, and a scan that would not fit (--max-memory, else the memory available now) is
// refused before the network is loaded.
void check_predict_memory(const SegmentPredictOptions& o, const Geometry& scan,
                          const learn::SegmentationPlan& plan) {
  const learn::PredictMemoryEstimate e =
      learn::estimate_predict_memory(scan, plan, !o.no_qc, o.predict.body_from_ct);
  check_memory_limit(
      e.peak_mib, o.max_memory_mib, o.dry_run, "predicting on this scan",
      fmt::format("{:.1f} million voxels, {:.1f} million on the network's grid{}",
                  e.scan_megavoxels, e.network_megavoxels, e.quality_check ? ", with QC" : ""),
      e.quality_check
          ? "--no-qc needs much less (no test-time augmentation copies), or crop the scan"
          : "crop the scan to the region of interest");
}

// The peak memory training with this plan will need, from the plan and the scans' headers:
// printed with --dry-run, and a run that would not fit is refused before LibTorch loads.
void check_train_memory(const SegmentTrainOptions& o, const learn::SegmentationPlan& plan,
                        const learn::CaseSplit& split) {
  const learn::TrainMemoryEstimate e = learn::estimate_train_memory(plan, split);
  const Size3& patch = plan.patch_size;
  check_memory_limit(
      e.peak_mib, o.max_memory_mib, o.dry_run, "this training run",
      fmt::format("batch {} of {}x{}x{} voxels with {} base channels: {:.0f} MiB; {} scans, "
                  "{:.1f} million voxels on the network's grid{}",
                  plan.batch_size, patch[0], patch[1], patch[2], plan.base_channels,
                  e.activation_mib, split.training.size() + split.validation.size(),
                  e.network_megavoxels,
                  o.train.device == learn::Device::kCuda ? "; the GPU's memory not included" : ""),
      "a smaller --batch-size, --patch-size or --memory-budget");
}

struct SegmentStatsOptions {
  std::string manifest, model;
};

// "3" or "2,2,3" -> three numbers.
std::vector<double> parse_triple(const std::string& text, const char* option) {
  std::vector<double> values;
  std::stringstream list(text);
  std::string item;
  while (std::getline(list, item, ',')) {
    try {
      std::size_t used = 0;
      values.push_back(std::stod(item, &used));
      if (used != item.size()) throw std::invalid_argument(item);
    } catch (const std::exception&) {
      throw usage_error("{} takes one number or three separated by commas, not '{}'", option, text);
    }
  }
  if (values.size() == 1) values = {values[0], values[0], values[0]};
  if (values.size() != 3) throw usage_error("{} takes one number or three, not '{}'", option, text);
  for (const double v : values)
    if (!(v > 0)) throw usage_error("{} must be positive, got '{}'", option, text);
  return values;
}

ProgressStyle progress_style(const GlobalOptions& global) {
  return global.quiet ? ProgressStyle::kQuiet : ProgressStyle::kAuto;
}

int run_train(SegmentTrainOptions& o, const GlobalOptions& global) {
  learn::TrainOptions& t = o.train;
  t.manifest = o.manifest;
  t.out = o.out;
  learn::require_networks();
  t.device = learn::parse_device(o.device);
  t.validation_fold = o.validation_fold;
  t.mixed_precision = !o.no_mixed_precision;
  if (!o.spacing.empty()) {
    const auto s = parse_triple(o.spacing, "--spacing");
    t.planning.spacing = Vec3d{s[0], s[1], s[2]};
  }
  if (!o.patch_size.empty()) {
    const auto p = parse_triple(o.patch_size, "--patch-size");
    t.planning.patch_size = Size3{std::int64_t(p[0]), std::int64_t(p[1]), std::int64_t(p[2])};
  }
  t.planning.base_channels = o.base_channels;
  t.planning.levels = o.levels;
  t.planning.batch_size = o.batch_size;
  learn::check_train_options(t);
  io::refuse_overwriting_inputs(t.out / learn::kPlanFile, {t.manifest});

  Progress progress(progress_style(global));
  if (o.dry_run) {
    // The plan as training would make it (fingerprinting the scans), then the estimate alone:
    // nothing is written and LibTorch is not loaded.
    learn::CaseSplit split =
        learn::training_split(t.manifest, t.validation_fold, t.validation_fraction, t.seed);
    check_train_memory(o, learn::training_plan(t, split, progress), split);
    return 0;
  }
  t.before_training = [&o](const learn::SegmentationPlan& plan, const learn::CaseSplit& split) {
    check_train_memory(o, plan, split);
  };
  const auto start = std::chrono::steady_clock::now();
  const learn::TrainResult result = learn::train_segmentation(t, progress);
  const double minutes =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / 60.0;
  const learn::SegmentationPlan& plan = result.plan;
  fmt::print("trained on {} scans, validated on {}; {} epochs in {:.1f} min; model in {}\n",
             result.training_scans, result.validation_scans, result.history.size(), minutes,
             t.out.string());
  fmt::print("plan: spacing {}x{}x{} mm, patch {}x{}x{}, batch {}, {} levels, {} base channels\n",
             plan.spacing.x, plan.spacing.y, plan.spacing.z, plan.patch_size[0], plan.patch_size[1],
             plan.patch_size[2], plan.batch_size, plan.levels, plan.base_channels);
  if (!result.validation.empty()) {
    fmt::print("validation Dice (mean over {} scans):\n", result.validation.size());
    for (std::size_t c = 1; c < plan.classes.size(); ++c) {
      double sum = 0;
      int count = 0;
      for (const learn::ValidationRow& row : result.validation) {
        if (std::isfinite(row.dice[c - 1])) {
          sum += row.dice[c - 1];
          ++count;
        }
      }
      fmt::print("  {:<16} {:.4f}\n", plan.classes[c].name, count ? sum / count : NAN);
    }
  }
  return 0;
}

// Test-time variants and plausibility against the model's training statistics; one warning line
// per unreliable organ.
nlohmann::json quality_check(const learn::Segmenter& segmenter, const fs::path& model,
                             const Image<float>& image, const LabelMap& labels,
                             const SegmentPredictOptions& o, Progress& progress) {
  const learn::QcReport report =
      learn::check_prediction(segmenter, model, image, labels, o.predict, progress);
  if (!report.has_statistics) {
    warn(
        "the model folder '{}' has no {}: QC judges by test-time augmentation alone (make one "
        "with 'modir segment stats')",
        model.string(), learn::kStatisticsFile);
  }
  // A few voxels above the threshold are noise or a calcification; a millilitre is an object.
  if (report.metal_ml >= 1.0) {
    warn(
        "QC: the scan holds {:.0f} ml of metal (voxels at or above {:.0f} HU): its streaks make "
        "organs near it less reliable than their confidence says",
        report.metal_ml, learn::MetalOptions{}.threshold_hu);
  }
  for (const learn::OrganQc& organ : report.organs) {
    if (!organ.reliable())
      warn("QC: {} unreliable: {}", organ.name, fmt::join(organ.reasons, "; "));
  }
  return learn::qc_to_json(report, o.image, o.out, model.string());
}

int run_stats(const SegmentStatsOptions& o) {
  const learn::SegmentationPlan plan = learn::read_plan(o.model);
  learn::StatisticsBuilder builder(plan.classes);
  const std::vector<learn::TrainingCase> cases = learn::read_training_cases(o.manifest);
  for (const learn::TrainingCase& c : cases) {
    builder.add(io::read_label_map(c.labels));
  }
  const learn::ModelStatistics statistics = builder.finish();
  learn::write_statistics(statistics, o.model);
  fmt::print("organ statistics of {} scans written to {}\n", statistics.scans,
             (fs::path(o.model) / learn::kStatisticsFile).string());
  for (const learn::OrganStatistics& s : statistics.organs) {
    fmt::print("  {:<16} in {:3d} scans, {:8.1f} - {:8.1f} ml\n", s.name, s.scans_present,
               s.volume_min_ml, s.volume_max_ml);
  }
  return 0;
}

int run_predict(SegmentPredictOptions& o, const GlobalOptions& global) {
  const fs::path model = o.model.empty() ? learn::shipped_model("pelvis") : fs::path(o.model);
  if (!(o.predict.overlap >= 0 && o.predict.overlap < 1))
    throw usage_error("--overlap must lie in [0, 1), got {}", o.predict.overlap);
  io::refuse_overwriting_inputs(o.out, {o.image});
  // Said before minutes of work rather than after.
  const fs::path folder =
      fs::path(o.out).parent_path().empty() ? fs::path(".") : fs::path(o.out).parent_path();
  if (!fs::is_directory(folder))
    throw data_error("cannot write '{}': folder '{}' does not exist; create it first", o.out,
                     folder.string());
  learn::require_networks();
  const learn::Device device = learn::parse_device(o.device);
  io::ReadOptions read;
  read.dicom_series_uid = o.series;
  check_predict_memory(o, io::read_image_info(o.image, read).geometry, learn::read_plan(model));
  if (o.dry_run) return 0;
  Progress progress(progress_style(global));
  const learn::Segmenter segmenter(model, device);
  progress.begin_phase("reading", 1);
  const Image<float> image = io::read_image_as<float>(o.image, read);
  progress.end_phase();
  const LabelMap labels = segmenter.predict(image, o.predict, progress);
  std::optional<nlohmann::json> qc;
  if (!o.no_qc) qc = quality_check(segmenter, model, image, labels, o, progress);
  progress.begin_phase("writing", 1);
  io::write_image(labels, o.out);
  if (qc) io::write_text_file(learn::qc_path_for(o.out), qc->dump(1) + "\n");
  progress.end_phase();
  std::vector<std::int64_t> counts(65536, 0);
  for (const std::uint16_t v : labels.buffer()) ++counts[v];
  const double voxel_ml = image.geometry().voxel_ml();
  fmt::print("labels written to {} (model {})\n", o.out, model.string());
  if (o.predict.fill_dense_objects && segmenter.plan().normalisation.scheme == "ct") {
    const std::vector<filter::DenseObject> dense = filter::find_small_dense_objects(image);
    if (!dense.empty()) {
      double ml = 0.0;
      for (const filter::DenseObject& d : dense) ml += d.core_ml;
      fmt::print(
          "  {} small dense object(s) (gold markers, clips: {:.2f} ml at or above {:.0f} HU) "
          "filled with the tissue around them before the network read the scan "
          "(--keep-dense-objects to leave them)\n",
          dense.size(), ml, filter::DenseObjectOptions{}.threshold_hu);
    }
  }
  for (const learn::LabelClass& c : segmenter.plan().classes) {
    if (c.id != 0) fmt::print("  {:<16} {:8.1f} ml\n", c.name, double(counts[c.id]) * voxel_ml);
  }
  return 0;
}

}  // namespace

CommandAction add_segment_command(CLI::App& app, const GlobalOptions& global) {
  auto train = std::make_shared<SegmentTrainOptions>();
  auto predict = std::make_shared<SegmentPredictOptions>();
  CLI::App* command =
      app.add_subcommand("segment", "Organ label maps with a 3D U-Net: train a model, or predict");
  command->require_subcommand(1);

  CLI::App* t = command->add_subcommand(
      "train",
      "Plan a U-Net from the data and train it into a model folder (plan.json, "
      "weights.pt, training_log.csv, learning_curves.png, validation.csv)");
  t->fallthrough();
  learn::TrainOptions& to = train->train;
  t->add_option("--manifest", train->manifest,
                "manifest.csv (patient_id,scan_id,image,labels) or a split file with a fold column")
      ->required();
  t->add_option("--out", train->out, "the model folder to write")->required();
  add_memory_options(*t, train->dry_run, train->max_memory_mib);
  t->add_option("--validation-fold", train->validation_fold,
                "validate on this fold of a split file (default: patients drawn with --seed)");
  t->add_option("--validation-fraction", to.validation_fraction,
                "without a fold: fraction of patients held out (default 0.2)");
  t->add_option("--seed", to.seed, "seed of the split, initial weights and sampling (default 1)");
  t->add_option("--device", train->device, "cpu or cuda (default cpu)");
  t->add_flag("--no-mixed-precision", train->no_mixed_precision,
              "CUDA: train in float32 (default: float16 autocast with loss scaling)");
  t->add_option("--memory-budget", to.planning.memory_budget_mb,
                "MB of training memory the patch and batch must fit (default 6144)")
      ->check(CLI::PositiveNumber);
  t->add_option("--spacing", train->spacing, "force the target spacing, mm: S or X,Y,Z");
  t->add_option("--patch-size", train->patch_size, "force the patch size, voxels: P or X,Y,Z");
  t->add_option("--base-channels", train->base_channels, "force the network's first width")
      ->check(CLI::PositiveNumber);
  t->add_option("--levels", train->levels, "force the number of resolutions")
      ->check(CLI::Range(2, 6));
  t->add_option("--batch-size", train->batch_size, "force the batch size")
      ->check(CLI::PositiveNumber);
  t->add_option("--epochs", to.epochs, "epochs (default 50)")->check(CLI::PositiveNumber);
  t->add_option("--iterations", to.iterations_per_epoch, "batches per epoch (default 50)")
      ->check(CLI::PositiveNumber);
  t->add_option("--max-minutes", to.max_minutes,
                "end training within this time by shortening the schedule (not reproducible)")
      ->check(CLI::NonNegativeNumber);
  t->add_option("--learning-rate", to.learning_rate, "initial Adam learning rate (default 3e-3)")
      ->check(CLI::PositiveNumber);
  t->add_flag("--resume", to.resume, "continue from the model folder's checkpoint.pt");
  CLI::Option* init_from =
      t->add_option("--init-from", to.initial_model,
                    "fine-tune: start from this model folder's plan and weights (new schedule)")
          ->check(CLI::ExistingDirectory);
  // The plan comes with the weights: nothing of it can be forced then.
  for (const char* planned :
       {"--spacing", "--patch-size", "--base-channels", "--levels", "--batch-size", "--resume"})
    init_from->excludes(t->get_option(planned));
  t->add_option("--appearance", to.appearance_probability,
                "share of patches with a redrawn CT appearance: tissue levels, contrast, gas, "
                "calibration, bias, slice thickness, kernel, noise (default 0.6; 0 off)")
      ->check(CLI::Range(0.0, 1.0));
  t->add_option("--truncation", to.truncation_probability,
                "share of patches cut by a field-of-view edge (default 0.15)")
      ->check(CLI::Range(0.0, 1.0));
  t->add_option("--stop-after-epochs", to.stop_after_epochs,
                "end this session after that epoch of the schedule (continue with --resume)")
      ->check(CLI::NonNegativeNumber);
  t->add_option("--label-names", to.label_names,
                "label names: name,name,... (index = id) or id:name,... (default: the labels of "
                "dataset.json or truth.json beside the manifest)");
  t->add_option("--fill-holes", to.fill_holes,
                "classes whose holes within axial slices prediction fills: auto (those whose "
                "training labels hold none; a fine-tuning keeps its model's), none, or "
                "name,name,... (default auto)");
  t->add_option("--validation-patches", to.validation_patches,
                "patches per validation scan for the per-epoch Dice (default 4)")
      ->check(CLI::PositiveNumber);

  CLI::App* p = command->add_subcommand(
      "predict", "Label a scan with a trained model; the labels have the scan's exact grid");
  p->fallthrough();
  p->add_option("--model", predict->model, "model folder (default: the shipped models/pelvis)");
  p->add_option("--image", predict->image, "the scan to label")->required();
  p->add_option("--series", predict->series,
                "DICOM series UID of --image, where its folder holds several");
  p->add_option("--out", predict->out, "the label map to write")->required();
  p->add_option("--device", predict->device, "cpu or cuda (default cpu)");
  p->add_option("--overlap", predict->predict.overlap,
                "sliding-window overlap, fraction of a patch (default 0.5)");
  p->add_flag("--mirror", predict->predict.mirror,
              "test-time augmentation: average with mirrored predictions (slower)");
  p->add_flag("--largest-component", predict->predict.largest_component,
              "keep only each organ's largest connected component");
  p->add_flag("--no-body-outline{false}", predict->predict.body_from_ct,
              "CT models: do not clear labels outside the patient outline found from the scan "
              "(above -400 HU, opened by 5 mm, largest piece, holes filled per slice)");
  p->add_flag("--no-fill-holes{false}", predict->predict.fill_holes,
              "keep the holes within axial slices of the organs the model's plan marks solid "
              "(by default they are filled where the network said body or background)");
  p->add_flag("--keep-dense-objects{false}", predict->predict.fill_dense_objects,
              "CT models: let the network read small dense objects (gold markers, clips, seeds: "
              "at most 1 ml at or above 2800 HU) as they are (by default each is filled with the "
              "median of the tissue around it first; the labels stay on the scan's own voxels)");
  p->add_flag("--no-qc", predict->no_qc,
              "skip quality control (by default <out>.qc.json is written: per organ a "
              "confidence from test-time augmentation and plausibility against the training "
              "labels; three more predictions)");
  add_memory_options(*p, predict->dry_run, predict->max_memory_mib);

  auto stats = std::make_shared<SegmentStatsOptions>();
  CLI::App* s = command->add_subcommand(
      "stats",
      "Write a model's organ statistics (stats.json, used by QC) from its training "
      "labels; segment train writes it itself");
  s->fallthrough();
  s->add_option("--manifest", stats->manifest, "the manifest the model was trained on")->required();
  s->add_option("--model", stats->model, "the model folder")->required();

  return [train, predict, stats, t, p, s, &global]() -> int {
    if (t->parsed()) return run_train(*train, global);
    if (p->parsed()) return run_predict(*predict, global);
    if (s->parsed()) return run_stats(*stats);
    throw usage_error("modir segment needs train or predict; see 'modir segment --help'");
  };
}

}  // namespace modir::cli
