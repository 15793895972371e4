// The learned landmark network's public API over the network module, and its model description.

#include "modir/learn/landmark_network.h"

#include <fstream>

#include <nlohmann/json.hpp>

#include "modir/core/error.h"
#include "modir/core/large_blocks.h"
#include "modir/io/output_file.h"
#include "modir/learn/network_backend.h"

namespace modir::learn {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {
constexpr const char* kSpecFormat = "modir-landmark-network";
constexpr int kSpecVersion = 1;
}  // namespace

void write_landmark_spec(const LandmarkNetworkSpec& spec, const fs::path& model_dir) {
  const json j = {{"format", kSpecFormat},
                  {"version", kSpecVersion},
                  {"spacing_mm", spec.spacing_mm},
                  {"features", spec.features},
                  {"context_features", spec.context_features},
                  {"descriptor_channels", spec.descriptor_channels}};
  io::write_text_file(model_dir / kLandmarkSpecFile, j.dump(2) + "\n");
}

LandmarkNetworkSpec read_landmark_spec(const fs::path& model_dir) {
  const fs::path path = model_dir / kLandmarkSpecFile;
  std::ifstream in(path);
  if (!in)
    throw data_error(
        "'{}' is not a landmark model folder: it has no {} (train one with 'modir landmarks "
        "train')",
        model_dir.string(), kLandmarkSpecFile);
  try {
    const json j = json::parse(in);
    if (j.at("format").get<std::string>() != kSpecFormat)
      throw data_error("'{}' describes a '{}', not a landmark network", path.string(),
                       j.at("format").get<std::string>());
    if (j.at("version").get<int>() != kSpecVersion)
      throw data_error("'{}' is version {}; this modir reads version {}", path.string(),
                       j.at("version").get<int>(), kSpecVersion);
    LandmarkNetworkSpec spec;
    spec.spacing_mm = j.at("spacing_mm").get<double>();
    spec.features = j.at("features").get<int>();
    spec.context_features = j.at("context_features").get<int>();
    spec.descriptor_channels = j.at("descriptor_channels").get<int>();
    const auto in_range = [](int v) { return v >= 1 && v <= 256; };
    if (!(spec.spacing_mm >= 0.5 && spec.spacing_mm <= 8.0) || !in_range(spec.features) ||
        !in_range(spec.context_features) || !in_range(spec.descriptor_channels))
      throw data_error("'{}': spacing or channel counts out of range", path.string());
    return spec;
  } catch (const json::exception& e) {
    throw data_error("'{}' is not a valid landmark network description: {}", path.string(),
                     e.what());
  }
}

struct LandmarkNetwork::Impl {
  std::unique_ptr<detail::LandmarkNetworkBackend> network;
};

LandmarkNetwork::LandmarkNetwork(const fs::path& model_dir, Device device)
    : impl_(std::make_unique<Impl>()) {
  impl_->network = detail::network_backend().load_landmark_network(model_dir, device);
}
LandmarkNetwork::~LandmarkNetwork() = default;
LandmarkNetwork::LandmarkNetwork(LandmarkNetwork&&) noexcept = default;
LandmarkNetwork& LandmarkNetwork::operator=(LandmarkNetwork&&) noexcept = default;

const LandmarkNetworkSpec& LandmarkNetwork::spec() const {
  return impl_->network->spec();
}

LandmarkFeatures LandmarkNetwork::features(const Image<float>& working_image) const {
  const KeepLargeBlocks keep;  // tensors of 100 MB and more for every layer
  return impl_->network->features(working_image);
}

LandmarkTrainResult train_landmark_network(const std::vector<LandmarkTrainingPair>& pairs,
                                           const LandmarkTrainOptions& options,
                                           Progress& progress) {
  if (pairs.empty()) throw usage_error("landmark training needs at least one scan pair");
  if (options.patch < 16 || options.patch % 4 != 0 || options.patch > 128)
    throw usage_error("--patch must be a multiple of 4 between 16 and 128, not {}", options.patch);
  if (options.steps < 1) throw usage_error("--steps must be at least 1");
  if (options.points < 8) throw usage_error("--points must be at least 8");
  const KeepLargeBlocks keep;
  return detail::network_backend().train_landmarks(pairs, options, progress);
}

}  // namespace modir::learn
