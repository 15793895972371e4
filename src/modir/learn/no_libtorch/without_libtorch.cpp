// The networks' API when modir is built without LibTorch: every entry point explains what is
// missing (Debian: libtorch-dev, then reconfigure).

#include "modir/core/error.h"
#include "modir/learn/segmenter.h"
#include "modir/learn/train.h"

namespace modir::learn {

namespace {

Error no_libtorch() {
  return usage_error(
      "this modir was built without LibTorch, so it cannot train or run networks; install "
      "libtorch-dev (scripts/setup) and rebuild (cmake -DMODIR_WITH_TORCH=ON)");
}

}  // namespace

bool networks_available() {
  return false;
}

Device parse_device(const std::string& name) {
  if (name != "cpu" && name != "cuda")
    throw usage_error("--device must be cpu or cuda, not '{}'", name);
  throw no_libtorch();
}

struct Segmenter::Impl {
  SegmentationPlan plan;
};

Segmenter::Segmenter(const std::filesystem::path&, Device) {
  throw no_libtorch();
}
Segmenter::~Segmenter() = default;
Segmenter::Segmenter(Segmenter&&) noexcept = default;
Segmenter& Segmenter::operator=(Segmenter&&) noexcept = default;
const SegmentationPlan& Segmenter::plan() const {
  throw no_libtorch();
}
LabelMap Segmenter::predict(const Image<float>&, const PredictOptions&, Progress&) const {
  throw no_libtorch();
}

TrainResult train_segmentation(const TrainOptions&, Progress&) {
  throw no_libtorch();
}

}  // namespace modir::learn
