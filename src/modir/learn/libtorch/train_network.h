#pragma once

// Private to learn/libtorch: the training loop behind train_segmentation (learn/train.h).

#include "modir/core/progress.h"
#include "modir/learn/train.h"

namespace modir::learn {

TrainResult train_network(const TrainOptions& options, Progress& progress);

}  // namespace modir::learn
