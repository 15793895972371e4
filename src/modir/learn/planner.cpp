#include "modir/learn/planner.h"

#include <algorithm>
#include <cmath>

#include "modir/core/error.h"
#include "modir/core/statistics.h"
#include "modir/core/version.h"
#include "modir/filter/slice_holes.h"

namespace modir::learn {

using nlohmann::json;

json DatasetFingerprint::to_json() const {
  json size_list = json::array(), spacing_list = json::array();
  for (const Size3& s : sizes) size_list.push_back(s);
  for (const Vec3d& s : spacings) spacing_list.push_back({s.x, s.y, s.z});
  json holes = json::object();
  for (const auto& [id, share] : slice_hole_share) holes[std::to_string(id)] = share;
  return {{"cases", sizes.size()},
          {"median_spacing_mm", {median_spacing.x, median_spacing.y, median_spacing.z}},
          {"median_extent_mm", {median_extent_mm.x, median_extent_mm.y, median_extent_mm.z}},
          {"foreground_intensity",
           {{"percentile_00_5", percentile_00_5},
            {"percentile_99_5", percentile_99_5},
            {"mean", mean},
            {"std", std}}},
          {"label_ids", label_ids},
          {"slice_hole_share", holes},
          {"sizes", size_list},
          {"spacings_mm", spacing_list}};
}

void FingerprintBuilder::add(const Image<float>& image, const LabelMap& labels) {
  sizes_.push_back(image.size());
  spacings_.push_back(image.geometry().spacing);
  const std::int64_t n = image.voxel_count();
  std::int64_t foreground = 0;
  std::vector<bool> here(65536, false);
  for (std::int64_t i = 0; i < n; ++i) {
    here[labels.data()[i]] = true;
    foreground += labels.data()[i] != 0;
  }
  // Which structures are drawn solid: each label's holes within axial slices.
  Image<std::uint8_t> mask(labels.geometry());
  const int axial = filter::axial_axis(labels.geometry());
  for (std::size_t id = 1; id < here.size(); ++id) {
    if (!here[id]) continue;
    present_[id] = true;
    std::int64_t count = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      const bool inside = labels.data()[i] == id;
      mask.data()[i] = inside ? 1 : 0;
      count += inside;
    }
    const auto key = static_cast<std::uint16_t>(id);
    voxels_[key] += count;
    slice_holes_[key] += filter::fill_slice_holes(mask, axial);
  }
  if (here[0]) present_[0] = true;
  // About 20000 foreground samples per case, evenly strided.
  const std::int64_t stride = std::max<std::int64_t>(1, foreground / 20000);
  std::int64_t seen = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    if (labels.data()[i] == 0) continue;
    if (seen++ % stride == 0) samples_.push_back(image.data()[i]);
  }
}

DatasetFingerprint FingerprintBuilder::finish() const {
  if (sizes_.empty()) throw data_error("no training cases to fingerprint");
  DatasetFingerprint f;
  f.sizes = sizes_;
  f.spacings = spacings_;
  std::vector<double> axis[3], extent[3];
  for (std::size_t c = 0; c < sizes_.size(); ++c) {
    for (int a = 0; a < 3; ++a) {
      axis[a].push_back(spacings_[c][a]);
      extent[a].push_back(spacings_[c][a] * double(sizes_[c][static_cast<std::size_t>(a)]));
    }
  }
  for (int a = 0; a < 3; ++a) {
    f.median_spacing[a] = median(axis[a]);
    f.median_extent_mm[a] = median(extent[a]);
  }
  // Sorted, so that the sums below do not depend on the order the cases came in. No samples
  // (labels empty everywhere) leave the window at 0..0 rather than NaN.
  std::vector<float> sorted = samples_;
  std::sort(sorted.begin(), sorted.end());
  f.percentile_00_5 = sorted.empty() ? 0.0 : percentile(sorted, 0.5);
  f.percentile_99_5 = sorted.empty() ? 0.0 : percentile(sorted, 99.5);
  double sum = 0, sum2 = 0;
  for (const float v : sorted) {
    const double c = std::clamp(double(v), f.percentile_00_5, f.percentile_99_5);
    sum += c;
    sum2 += c * c;
  }
  const double count = std::max<double>(1.0, double(sorted.size()));
  f.mean = sum / count;
  f.std = std::max(1e-3, std::sqrt(std::max(0.0, sum2 / count - f.mean * f.mean)));
  for (std::size_t id = 0; id < present_.size(); ++id)
    if (present_[id]) f.label_ids.push_back(static_cast<std::uint16_t>(id));
  for (const auto& [id, voxels] : voxels_)
    f.slice_hole_share[id] = double(slice_holes_.at(id)) / double(voxels);
  return f;
}

double training_bytes_per_voxel(int base_channels) {
  // Per voxel of the patch, the full-resolution level keeps about 12 feature maps of
  // base_channels floats for the backward pass (two convolutions, norms and activations in the
  // encoder, the same plus the concatenation in the decoder); coarser levels add a third
  // (1/8 of the voxels with twice the channels, per level); gradients double it.
  return 2.0 * 12.0 * base_channels * 4.0 * (1.0 + 1.0 / 3.0);
}

SegmentationPlan make_plan(const DatasetFingerprint& fingerprint, std::vector<LabelClass> classes,
                           const PlanningOptions& options) {
  SegmentationPlan plan;
  plan.modir_version = kVersion;
  plan.classes = std::move(classes);
  // Class 0 is the background: never an organ to fill.
  for (std::size_t c = 1; c < plan.classes.size(); ++c) {
    const auto share = fingerprint.slice_hole_share.find(plan.classes[c].id);
    plan.classes[c].fill_holes =
        share != fingerprint.slice_hole_share.end() && share->second <= kSolidHoleShare;
  }
  plan.fingerprint = fingerprint.to_json();
  plan.normalisation = {"ct", fingerprint.percentile_00_5, fingerprint.percentile_99_5,
                        fingerprint.mean, fingerprint.std};

  // Network width: nnU-Net's 32 on a GPU; 16 on a CPU (the smallest multiple of 16, which
  // oneDNN's blocked convolutions need to be fast).
  plan.base_channels = options.base_channels.value_or(options.cuda ? 32 : 16);
  plan.max_channels = options.cuda ? 320 : 256;
  plan.batch_size = options.batch_size.value_or(2);

  // Target spacing: the median spacing; on a CPU, made isotropic at the coarsest median axis
  // (anisotropic data then costs no extra pooling rules and a patch covers more anatomy).
  Vec3d spacing = fingerprint.median_spacing;
  if (!options.cuda) {
    const double coarsest = std::max({spacing.x, spacing.y, spacing.z});
    spacing = {coarsest, coarsest, coarsest};
  }
  if (options.spacing) spacing = *options.spacing;
  plan.spacing = spacing;

  // Patch: the largest box with the median image's proportions (at most the median image) whose
  // batch fits the memory budget.
  Vec3d shape;  // median image in voxels at the target spacing
  for (int a = 0; a < 3; ++a)
    shape[a] = std::max(8.0, fingerprint.median_extent_mm[a] / spacing[a]);
  const double budget_voxels = options.memory_budget_mb * 1024.0 * 1024.0 /
                               (training_bytes_per_voxel(plan.base_channels) * plan.batch_size);
  const double scale = std::min(1.0, std::cbrt(budget_voxels / (shape.x * shape.y * shape.z)));

  // Depth: halve until the coarsest feature map is 4-8 voxels on its shortest side (at most 5
  // levels), then round the patch to a multiple of 2^(levels-1).
  Size3 patch;
  for (int a = 0; a < 3; ++a) patch[static_cast<std::size_t>(a)] = std::int64_t(shape[a] * scale);
  const std::int64_t shortest = std::min({patch[0], patch[1], patch[2]});
  int levels = 1;
  while (levels < 5 && (shortest >> levels) >= 4) ++levels;
  plan.levels = options.levels.value_or(std::max(3, levels));
  const std::int64_t multiple = std::int64_t{1} << (plan.levels - 1);
  for (auto& p : patch) p = std::max(multiple, p / multiple * multiple);
  if (options.patch_size) {
    patch = *options.patch_size;
    for (const std::int64_t p : patch) {
      if (p < multiple || p % multiple != 0)
        throw usage_error("--patch-size: every size must be a multiple of {} for {} levels, got {}",
                          multiple, plan.levels, p);
    }
  }
  plan.patch_size = patch;
  plan.deep_supervision = std::min(3, plan.levels - 1);
  plan.mirror_axes = {0};  // left-right: anatomy is roughly symmetric, front-back is not
  return plan;
}

}  // namespace modir::learn
