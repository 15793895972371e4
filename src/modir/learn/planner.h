#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "modir/core/image.h"
#include "modir/learn/plan.h"

namespace modir::learn {

/// What the training data look like (nnU-Net's dataset fingerprint): grids, and the intensities
/// inside the labelled foreground.
struct DatasetFingerprint {
  std::vector<Size3> sizes;
  std::vector<Vec3d> spacings;
  Vec3d median_spacing{1, 1, 1};
  Vec3d median_extent_mm{0, 0, 0};
  double percentile_00_5 = 0, percentile_99_5 = 0, mean = 0, std = 1;  ///< foreground HU
  std::vector<std::uint16_t> label_ids;                                ///< present, sorted
  /// Per label: the share of its voxels that filling its holes within axial slices would add
  /// (filter/slice_holes.h). About 0 for structures drawn solid (a bladder, a prostate); large
  /// for the body around the organs, and for bone around its marrow.
  std::map<std::uint16_t, double> slice_hole_share;
  nlohmann::json to_json() const;
};

/// Collects a fingerprint one case at a time (foreground intensities subsampled to bound memory).
class FingerprintBuilder {
 public:
  void add(const Image<float>& image, const LabelMap& labels);
  DatasetFingerprint finish() const;

 private:
  std::vector<Size3> sizes_;
  std::vector<Vec3d> spacings_;
  std::vector<float> samples_;
  std::vector<bool> present_ = std::vector<bool>(65536, false);
  std::map<std::uint16_t, std::int64_t> voxels_, slice_holes_;
};

/// A class whose training labels hold at most this share of holes within axial slices is solid:
/// the plan marks it for hole filling after prediction (LabelClass::fill_holes). Fingerprinted
/// on the phantom's development truths: bladder, rectum and prostate/uterus 0, femoral heads
/// 2e-6 (a replaced hip), bowel 6e-4 (loops enclose fat), bone 4e-3, body 0.13 (its organs).
inline constexpr double kSolidHoleShare = 1e-4;

/// Choices the user may force; everything left empty is derived from the fingerprint.
struct PlanningOptions {
  double memory_budget_mb = 6144;  ///< training memory (activations of one batch) to plan within
  bool cuda = false;
  std::optional<Vec3d> spacing;
  std::optional<Size3> patch_size;
  std::optional<int> base_channels;
  std::optional<int> levels;
  std::optional<int> batch_size;
};

/// Estimated bytes of training memory per patch voxel for a network (activations kept for the
/// backward pass, gradients, and the optimiser's share), used to fit patches in a budget.
double training_bytes_per_voxel(int base_channels);

/// Derives a plan (docs/segmentation.md "Planning"): target spacing, normalisation, patch and
/// batch size within the memory budget, network depth, which classes are solid (kSolidHoleShare).
/// `classes` come from the caller.
SegmentationPlan make_plan(const DatasetFingerprint& fingerprint, std::vector<LabelClass> classes,
                           const PlanningOptions& options);

}  // namespace modir::learn
