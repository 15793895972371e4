#pragma once

// Private to learn/: the seam between modir and the module that runs networks. LibTorch is large
// and slow to load (about a second of relocations and static initialisers), so it is not linked
// into modir: learn/libtorch/ is built as a module (libmodir_torch.so) that is loaded the first
// time a network is needed. Every other command starts without it.

#include <filesystem>
#include <memory>
#include <string>

#include "modir/core/image.h"
#include "modir/core/progress.h"
#include "modir/learn/landmark_network.h"
#include "modir/learn/plan.h"
#include "modir/learn/segmenter.h"
#include "modir/learn/train.h"

namespace modir::learn::detail {

/// Bumped whenever these classes or the types they pass change; the module must match exactly.
inline constexpr int kNetworkBackendAbi = 2;

/// The file name of the module, as built and installed (lib/modir/ next to bin/).
inline constexpr const char* kNetworkModuleFile = "libmodir_torch.so";

/// The name of the function the module exports; it returns the backend for an ABI version, or
/// nullptr when it was built for another.
inline constexpr const char* kNetworkModuleEntry = "modir_network_backend";

/// A loaded segmentation network.
class SegmenterBackend {
 public:
  virtual ~SegmenterBackend() = default;
  virtual const SegmentationPlan& plan() const = 0;
  virtual LabelMap predict(const Image<float>& image, const PredictOptions& options,
                           Progress& progress) const = 0;
};

/// A loaded landmark network.
class LandmarkNetworkBackend {
 public:
  virtual ~LandmarkNetworkBackend() = default;
  virtual const LandmarkNetworkSpec& spec() const = 0;
  virtual LandmarkFeatures features(const Image<float>& working_image) const = 0;
};

/// What the module provides; the public functions of segmenter.h and train.h forward to it.
class NetworkBackend {
 public:
  virtual ~NetworkBackend() = default;
  virtual Device parse_device(const std::string& name) const = 0;
  virtual std::unique_ptr<SegmenterBackend> load_segmenter(const std::filesystem::path& model_dir,
                                                           Device device) const = 0;
  virtual TrainResult train(const TrainOptions& options, Progress& progress) const = 0;
  virtual std::unique_ptr<LandmarkNetworkBackend> load_landmark_network(
      const std::filesystem::path& model_dir, Device device) const = 0;
  virtual LandmarkTrainResult train_landmarks(const std::vector<LandmarkTrainingPair>& pairs,
                                              const LandmarkTrainOptions& options,
                                              Progress& progress) const = 0;
};

/// The backend, loaded on first use. Throws a usage error that says why when there is none: modir
/// built without LibTorch, or the module missing or unloadable (with the paths tried).
const NetworkBackend& network_backend();

}  // namespace modir::learn::detail
