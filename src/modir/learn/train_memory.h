#pragma once

// What `modir segment train` will need, from the plan and the scans' headers, before LibTorch
// loads or a scan is resampled: a training run that does not fit is refused with the estimate
// instead of dying part-way (or printed with --dry-run).

#include <vector>

#include "modir/learn/plan.h"
#include "modir/learn/train.h"
#include "modir/learn/training_set.h"

namespace modir::learn {

struct TrainMemoryEstimate {
  double peak_mib = 0.0;
  double activation_mib = 0.0;      ///< one batch's training memory (training_bytes_per_voxel)
  double data_mib = 0.0;            ///< every scan on the network grid, and the largest one read
  double network_megavoxels = 0.0;  ///< all scans on the network grid, millions of voxels
};

/// The peak resident memory of training with `plan` on `cases` (training and validation), on
/// the CPU. An empirical model, constant + k x one batch's activations (batch x patch voxels x
/// training_bytes_per_voxel) + the resampled scans (5 bytes a network voxel) + the largest scan
/// as read (6 bytes a voxel), fitted on small and medium phantom cohorts with patches of 32^3
/// to 80x80x96 voxels, batches of 1 to 4 and 8 or 16 base channels (docs/segmentation.md,
/// "Memory"). A CUDA run keeps the activations on the GPU, whose memory this does not estimate.
TrainMemoryEstimate estimate_train_memory(const SegmentationPlan& plan,
                                          const std::vector<TrainingCase>& cases);

/// The same over a split's training and validation scans.
TrainMemoryEstimate estimate_train_memory(const SegmentationPlan& plan, const CaseSplit& split);

/// The plan training will use: the model folder's own when resuming, the initial model's when
/// fine-tuning, else one derived from the training scans' fingerprint (reading each of them and
/// recording its grid in `split`, which the memory estimate then uses instead of the header);
/// then TrainOptions::fill_holes applied (not when resuming).
SegmentationPlan training_plan(const TrainOptions& options, CaseSplit& split, Progress& progress);

/// A training case's scan and labels, its labels checked against the scan's grid.
void read_training_case(const TrainingCase& c, Image<float>& image, LabelMap& labels);

}  // namespace modir::learn
