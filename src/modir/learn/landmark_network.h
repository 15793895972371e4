#pragma once

// The learned landmark method (issue 17; after Grewal et al., J. Med. Imaging 2023): one small 3D
// CNN, applied to each scan of a pair alike (Siamese), with a detection head (where a point can
// be matched reliably) and a descriptor head (what a point looks like, as a unit vector). It is
// trained self-supervised on scan pairs whose true correspondence is known: phantom pairs with
// their true displacement, and single scans deformed at random.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "modir/core/image.h"
#include "modir/core/progress.h"
#include "modir/learn/segmenter.h"

namespace modir::learn {

/// The model folder's description (landmark_network.json): what the weights expect.
struct LandmarkNetworkSpec {
  double spacing_mm = 2.0;    ///< the working grid the network runs on (isotropic, identity)
  int features = 16;          ///< channels at the working resolution
  int context_features = 32;  ///< channels at half resolution (the dilated context branch)
  int descriptor_channels = 16;
};

inline constexpr const char* kLandmarkSpecFile = "landmark_network.json";
inline constexpr const char* kLandmarkWeightsFile = "weights.pt";

void write_landmark_spec(const LandmarkNetworkSpec& spec, const std::filesystem::path& model_dir);
/// A missing or corrupt file is a data error naming it.
LandmarkNetworkSpec read_landmark_spec(const std::filesystem::path& model_dir);

/// What the network says about a scan on its working grid.
struct LandmarkFeatures {
  Image<float> heat;  ///< keypoint probability in [0, 1]: how likely a match here is right
  /// descriptor_channels unit-length values per voxel of heat's grid, voxel-major.
  std::vector<float> descriptors;
  int channels = 0;
};

/// A trained landmark network (a model folder: landmark_network.json + weights.pt).
class LandmarkNetwork {
 public:
  LandmarkNetwork(const std::filesystem::path& model_dir, Device device);
  ~LandmarkNetwork();
  LandmarkNetwork(LandmarkNetwork&&) noexcept;
  LandmarkNetwork& operator=(LandmarkNetwork&&) noexcept;

  const LandmarkNetworkSpec& spec() const;
  /// `working_image`: HU on the spec's grid (landmarks::make_working_image). Deterministic for a
  /// given thread count.
  LandmarkFeatures features(const Image<float>& working_image) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// One training pair on working grids: `truth` (on fixed's grid, mm) carries a fixed point x to
/// x + truth(x) in the moving scan; `fixed_region` marks the voxels to learn from (the patient).
struct LandmarkTrainingPair {
  std::string name;
  Image<float> fixed, moving;
  DisplacementField truth;
  Image<std::uint8_t> fixed_region, moving_region;
};

struct LandmarkTrainOptions {
  std::filesystem::path out;  ///< the model folder
  LandmarkNetworkSpec spec;
  int steps = 1500;
  int patch = 48;    ///< voxels per side of a training patch (a multiple of 4)
  int points = 256;  ///< corresponding points per patch pair
  double learning_rate = 1e-3;
  double temperature = 0.07;  ///< of the contrastive (InfoNCE) loss
  /// Share of steps that learn from a single scan deformed at random (affine and elastic) instead
  /// of a pair: the synthetic motion covers rotations and scalings the pairs do not.
  double synthetic_fraction = 0.4;
  std::uint64_t seed = 1;
  Device device = Device::kCpu;
  int log_every = 25;  ///< steps per line of the training log
};

struct LandmarkTrainRecord {
  int step = 0;
  double seconds = 0;
  double loss = 0;            ///< mean over the last log_every steps
  double match_accuracy = 0;  ///< share of points whose nearest descriptor is their partner
};

struct LandmarkTrainResult {
  std::vector<LandmarkTrainRecord> log;
};

/// Trains from `pairs` and writes the model folder (spec, weights, training_log.csv) atomically.
LandmarkTrainResult train_landmark_network(const std::vector<LandmarkTrainingPair>& pairs,
                                           const LandmarkTrainOptions& options, Progress& progress);

}  // namespace modir::learn
