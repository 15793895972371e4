#include "modir/learn/train_memory.h"

#include <algorithm>

#include "modir/core/log.h"
#include "modir/io/image_io.h"
#include "modir/io/label_map_io.h"
#include "modir/learn/planner.h"
#include "modir/learn/preprocess.h"

namespace modir::learn {

namespace fs = std::filesystem;

namespace {

// Least squares on relative error over six CPU training runs (2026-12-05, 2 cores, GNU time's
// peak resident memory, 1 epoch of 3 batches): a small phantom cohort of 18 scans with patches
// of 32^3, 48x48x32 and 64x64x48 voxels, batches of 1-4 and 8 or 16 base channels (396-1486
// MiB), and a medium cohort of 11 scans with 80x80x96 patches (2105 MiB). Every run within 4 %.
// The constant is the process with LibTorch and the network; k says how much of the planner's
// per-voxel activation figure (training_bytes_per_voxel) is resident at the peak.
constexpr double kConstantMiB = 342.6;
constexpr double kActivationShare = 0.737;
constexpr double kBytesPerNetworkVoxel = 5.0;  // the normalised float scan and its class bytes
constexpr double kBytesPerReadVoxel = 6.0;     // a scan as read (float) and its labels (uint16)

}  // namespace

TrainMemoryEstimate estimate_train_memory(const SegmentationPlan& plan,
                                          const std::vector<TrainingCase>& cases) {
  double network_voxels = 0.0, largest_read = 0.0;
  for (const TrainingCase& c : cases) {
    const Geometry scan = c.grid ? *c.grid : io::read_image_info(c.image).geometry;
    network_voxels += static_cast<double>(network_grid(scan, plan.spacing).voxel_count());
    largest_read = std::max(largest_read, static_cast<double>(scan.voxel_count()));
  }
  const double patch =
      static_cast<double>(plan.patch_size[0] * plan.patch_size[1] * plan.patch_size[2]);
  TrainMemoryEstimate e;
  e.network_megavoxels = network_voxels / 1e6;
  e.activation_mib =
      plan.batch_size * patch * training_bytes_per_voxel(plan.base_channels) / (1 << 20);
  e.data_mib =
      (kBytesPerNetworkVoxel * network_voxels + kBytesPerReadVoxel * largest_read) / (1 << 20);
  e.peak_mib = kConstantMiB + kActivationShare * e.activation_mib + e.data_mib;
  return e;
}

TrainMemoryEstimate estimate_train_memory(const SegmentationPlan& plan, const CaseSplit& split) {
  std::vector<TrainingCase> cases = split.training;
  cases.insert(cases.end(), split.validation.begin(), split.validation.end());
  return estimate_train_memory(plan, cases);
}

void read_training_case(const TrainingCase& c, Image<float>& image, LabelMap& labels) {
  image = io::read_image_as<float>(c.image);
  labels = io::read_label_map(c.labels);
  io::check_label_grid(labels, image.geometry(), c.labels, c.image);
}

namespace {

/// A fresh plan from the training scans, or the plan of the model fine-tuned from.
SegmentationPlan planned(const TrainOptions& options, CaseSplit& split, Progress& progress) {
  if (!options.initial_model.empty()) return read_plan(options.initial_model);
  FingerprintBuilder fingerprint;
  progress.begin_phase("fingerprinting the training scans",
                       static_cast<std::int64_t>(split.training.size()));
  for (TrainingCase& c : split.training) {
    Image<float> image;
    LabelMap labels;
    read_training_case(c, image, labels);
    c.grid = image.geometry();
    fingerprint.add(image, labels);
    progress.advance();
  }
  progress.end_phase();
  const DatasetFingerprint f = fingerprint.finish();
  PlanningOptions planning = options.planning;
  planning.cuda = options.device == Device::kCuda;
  return make_plan(f, label_classes(f.label_ids, options.manifest, options.label_names), planning);
}

}  // namespace

SegmentationPlan training_plan(const TrainOptions& options, CaseSplit& split, Progress& progress) {
  if (options.resume) {
    if (fs::exists(options.out / kCheckpointFile)) return read_plan(options.out);
    warn("--resume: '{}' has no checkpoint yet; training starts from scratch",
         options.out.string());
  }
  SegmentationPlan plan = planned(options, split, progress);
  apply_fill_holes(plan, options.fill_holes);
  return plan;
}

}  // namespace modir::learn
