#pragma once

// Private to learn/: sliding-window inference of a network over a whole (normalised) volume.

#include "modir/core/progress.h"
#include "modir/learn/libtorch/unet.h"
#include "modir/learn/plan.h"
#include "modir/learn/postprocess.h"
#include "modir/learn/segmenter.h"

namespace modir::learn {

/// Softmax probabilities of `net` over `input` (already on the network grid and normalised):
/// windows of the plan's patch size overlapping by `options.overlap`, each weighted by the
/// Gaussian importance map; volumes smaller than a patch are padded with their lowest value.
/// With options.mirror the windows are also predicted mirrored along the plan's mirror axes.
ClassScores sliding_window_scores(UNet& net, const Image<float>& input,
                                  const SegmentationPlan& plan, const PredictOptions& options,
                                  torch::Device device, Progress* progress);

/// Probabilities of one pass of `net` over the whole volume at once (reference for tests).
ClassScores whole_volume_scores(UNet& net, const Image<float>& input, torch::Device device);

}  // namespace modir::learn
