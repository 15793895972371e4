#pragma once

// Private to learn/: training the landmark network (the module's side of
// learn/landmark_network.h's train_landmark_network).

#include "modir/core/progress.h"
#include "modir/learn/landmark_network.h"

namespace modir::learn {

LandmarkTrainResult train_landmarks_torch(const std::vector<LandmarkTrainingPair>& pairs,
                                          const LandmarkTrainOptions& options, Progress& progress);

}  // namespace modir::learn
