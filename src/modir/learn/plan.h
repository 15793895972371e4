#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "modir/core/geometry.h"

namespace modir::learn {

/// One output class of a segmentation network: the label id it writes and its name.
struct LabelClass {
  std::uint16_t id = 0;
  std::string name;
  /// A solid structure (its training labels hold no holes within axial slices): after
  /// prediction, what it encloses within a slice and the network labelled body or background
  /// becomes this class (learn/postprocess.h fill_organ_holes).
  bool fill_holes = false;
};

/// How voxel values are mapped before the network sees them. "ct": clip to [clip_low, clip_high]
/// (percentiles of the training foreground), then z-score with the foreground mean and std.
struct Normalisation {
  std::string scheme = "ct";
  double clip_low = -1024.0;
  double clip_high = 3071.0;
  double mean = 0.0;
  double std = 1.0;
};

/// Everything inference needs to reproduce training's view of an image (nnU-Net's plans.json):
/// written as plan.json beside the weights in a model folder.
struct SegmentationPlan {
  std::string modir_version;  ///< the modir that trained the model
  std::vector<LabelClass>
      classes;             ///< network channel c writes label classes[c].id; [0] = background
  Vec3d spacing{1, 1, 1};  ///< mm; the network sees images resampled to it
  Normalisation normalisation;
  Size3 patch_size{64, 64, 64};  ///< voxels, x y z
  int batch_size = 2;
  int levels = 4;
  int base_channels = 16;
  int max_channels = 256;
  int deep_supervision = 3;
  std::vector<int> mirror_axes{0};  ///< axes mirrored in augmentation and test-time augmentation
  nlohmann::json fingerprint;       ///< the dataset fingerprint the plan was derived from
};

nlohmann::json plan_to_json(const SegmentationPlan& plan);
/// Throws a data error naming `source` when a key is missing or has the wrong type.
SegmentationPlan plan_from_json(const nlohmann::json& json, const std::string& source);

/// Sets which classes are filled (LabelClass::fill_holes) from `spec`, as `segment train
/// --fill-holes` takes it: "auto" leaves the plan's own choice, "none" clears every class, or
/// class names separated by commas mark exactly those. An unknown name, or the background, is a
/// usage error that lists the names.
void apply_fill_holes(SegmentationPlan& plan, const std::string& spec);

/// Writes `model_dir`/plan.json atomically.
void write_plan(const SegmentationPlan& plan, const std::filesystem::path& model_dir);
/// Reads `model_dir`/plan.json. A missing or corrupt file, or a plan written by another
/// modir version (major.minor), is a data error that says what to do.
SegmentationPlan read_plan(const std::filesystem::path& model_dir);

/// The folder of a model shipped with modir (models/<name>): under $MODIR_MODELS when set,
/// otherwise in the source tree modir was built from.
std::filesystem::path shipped_model(const std::string& name);

/// The model folder's file names.
inline constexpr const char* kPlanFile = "plan.json";
inline constexpr const char* kWeightsFile = "weights.pt";
inline constexpr const char* kCheckpointFile = "checkpoint.pt";

}  // namespace modir::learn
