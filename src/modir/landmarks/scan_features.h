#pragma once

// What each landmark method sees in a scan: keypoints and a descriptor field on the working grid.
// The matcher (matcher.h) pairs them the same way whichever method found them.

#include <filesystem>
#include <vector>

#include "modir/landmarks/descriptors.h"
#include "modir/landmarks/keypoints.h"
#include "modir/landmarks/working_image.h"
#include "modir/learn/landmark_network.h"

namespace modir::landmarks {

struct ScanFeatures {
  std::vector<Keypoint> keypoints;
  DescriptorField descriptors;
};

/// The classical method's: Förstner keypoints (detect_keypoints), MIND-SSC descriptors.
/// `working_labels` (on w's grid, or null) spread the keypoints over the organs.
ScanFeatures classical_features(const WorkingImage& w, const KeypointOptions& keypoints,
                                const LabelMap* working_labels);

/// The learned method's: the network's heat map selected like Förstner's response
/// (select_keypoints), and its descriptors sampled at the point itself. The network runs on the
/// patient's box only (air around the body is often half of a CT's field of view), grown by 16 mm;
/// outside it the heat is 0 (no keypoint), and the descriptors, kept for the box only, continue
/// from its faces.
ScanFeatures learned_features(const learn::LandmarkNetwork& network, const WorkingImage& w,
                              const KeypointOptions& keypoints, const LabelMap* working_labels);

/// MIND-SSC descriptors (DescriptorField::mind_ssc) of the patient's box of `w` only: the learned
/// method places its pairs precisely on them (MatchOptions::polish_radius_mm).
DescriptorField patient_mind_ssc(const WorkingImage& w);

/// The landmark network in `model`, or the shipped models/landmarks when empty; on the CPU.
learn::LandmarkNetwork load_landmark_network(const std::filesystem::path& model,
                                             learn::Device device);

}  // namespace modir::landmarks
