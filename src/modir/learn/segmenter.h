#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "modir/core/image.h"
#include "modir/core/progress.h"
#include "modir/learn/plan.h"

namespace modir::learn {

/// Where a network runs. kCuda needs a LibTorch built with CUDA and a visible GPU.
enum class Device { kCpu, kCuda };

/// Parses "cpu" or "cuda"; a usage error for anything else, and for "cuda" when this LibTorch has
/// no CUDA or no GPU is visible.
Device parse_device(const std::string& name);

/// True when modir was built with LibTorch (otherwise training and inference throw).
bool networks_available();

/// Loads the network module (LibTorch) now: a command that will run a network calls it before
/// reading its inputs, so that a missing or foreign module is a usage error naming the file at
/// once, not after minutes of work. parse_device("cpu") does not load it (about 120 MB).
void require_networks();

struct PredictOptions {
  double overlap = 0.5;            ///< sliding windows overlap by this fraction of a patch
  bool mirror = false;             ///< test-time augmentation: also predict mirrored, average
  bool largest_component = false;  ///< keep each organ's largest connected component
  int windows_per_batch = 2;       ///< windows per network call (at least 2: faster on CPU)
  /// CT models: organs only inside the patient outline found from the scan's HU
  /// (learn/postprocess.h constrain_to_body).
  bool body_from_ct = true;
  /// Fill the holes within axial slices of the classes the plan marks solid
  /// (LabelClass::fill_holes; learn/postprocess.h fill_organ_holes).
  bool fill_holes = true;
  /// CT models: fill small dense objects (gold markers, clips, seeds) with the tissue around them
  /// before the network reads the scan (filter/dense_objects.h); the labels keep them where they
  /// are, as the organ around them.
  bool fill_dense_objects = true;
};

/// A trained segmentation network (a model folder: plan.json + weights.pt) ready to label scans.
class Segmenter {
 public:
  /// Loads `model_dir`; a missing, corrupt or incompatible model is a data error naming it.
  Segmenter(const std::filesystem::path& model_dir, Device device);
  ~Segmenter();
  Segmenter(Segmenter&&) noexcept;
  Segmenter& operator=(Segmenter&&) noexcept;

  const SegmentationPlan& plan() const;

  /// Labels on exactly `image`'s grid: resampled to the plan's spacing, sliding windows, argmax on
  /// the interpolated probabilities, resampled back (any direction, oblique or flipped).
  LabelMap predict(const Image<float>& image, const PredictOptions& options,
                   Progress& progress) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace modir::learn
