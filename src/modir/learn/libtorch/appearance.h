#pragma once

// Private to learn/: CT appearance synthesis for training (issue 14). The SynthSeg idea (Billot et
// al., Medical Image Analysis 2023: images drawn from label maps with random intensities per
// tissue, blur, bias, resolution and noise) adapted to CT, where Hounsfield units are physical:
// each tissue's level is drawn from a wide range around its physical one instead of from
// anything at all, and the scan's own texture inside a tissue is kept (scaled), so that a "body"
// label that holds fat and muscle still looks like fat and muscle. The network then has to find
// organs by shape and context, not by the grey value one scanner and one phantom gave them.

#include <string>
#include <vector>

#include <torch/types.h>

#include "modir/learn/plan.h"

namespace modir::learn {

/// A tissue's level in HU at the network's resolution: drawn uniformly from [low, high], or with
/// `enhanced_probability` from [enhanced_low, enhanced_high] (iodine contrast in bladder, bowel).
struct TissueLevel {
  double low = -50, high = 100;
  double enhanced_probability = 0.0;
  double enhanced_low = 0, enhanced_high = 0;
  double gas_probability = 0.0;  ///< a gas pocket (-950 .. -700 HU) in part of the organ
  /// Excreted contrast that has settled: with this probability the dependent part of the organ
  /// (posterior, +y, as a supine patient lies; anterior for one in ten) is drawn from
  /// [layer_low, layer_high] below a nearly horizontal level and the rest from [low, high]. A
  /// network that only ever saw a bladder either all dark or all bright takes the bright layer
  /// for the bladder and the urine above it for body. Classes of one tissue only (not has_fat).
  double layer_probability = 0.0;
  double layer_low = 0, layer_high = 0;
  double layer_share_low = 0.15, layer_share_high = 0.7;  ///< of the organ's voxels in the patch
  /// A class that holds fat and lean tissue (the body outside the organs): its voxels below
  /// `fat_split_hu` in the scan are fat and get their own level from [fat_low, fat_high], the
  /// rest [low, high]. On a calibrated CT fat is always darker than water, urine and muscle; a
  /// single level for the mixture would let fat reach the bladder's level and teach the network
  /// to ignore the fat-urine edge that outlines a small bladder.
  bool has_fat = false;
  double fat_low = -130, fat_high = -60;
  double fat_split_hu = -30;
};

/// The level range for a class, chosen by its name (so a clinic's own label set gets sensible
/// ranges): body/external, bone/pelvis/femur, bladder, rectum, bowel/colon/intestine,
/// prostate/uterus/vesicle, femoral head; anything else soft tissue (-50 .. 100 HU).
TissueLevel tissue_level(const std::string& class_name);

/// What appearance synthesis draws, per patch. Ranges are in HU at the network's grid (3 mm by
/// default), so noise levels are those after resampling to it. docs/segmentation.md lists them.
struct AppearanceOptions {
  double probability = 0.6;  ///< of a synthesised appearance; the rest keep the scan's own
  double texture_gain_low = 0.5, texture_gain_high = 1.5;  ///< scales a tissue's own texture
  double calibration_scale = 0.08;      ///< HU scale drawn from 1 +- this
  double calibration_offset_hu = 30.0;  ///< and an offset from +- this
  double bias_probability = 0.5;
  double bias_hu = 40.0;  ///< amplitude of a smooth additive field (cupping, beam hardening)
  double slice_thickness_low_mm = 1.0, slice_thickness_high_mm = 5.0;  ///< blur along z
  double kernel_sigma_high_mm = 1.2;  ///< in-plane blur (reconstruction kernel)
  double noise_low_hu = 2.0, noise_high_hu = 40.0;
  double noise_correlation_high_mm = 3.0;  ///< noise texture: blur of the noise before scaling
  double truncation_probability = 0.15;    ///< a field-of-view edge cuts the patch laterally
  double max_truncation_fraction = 0.35;
};

/// Redraws the appearance of a batch of training regions in place. `images` [B, 1, z, y, x] are
/// normalised network inputs (`normalisation` of the plan), `labels` the matching class indices of
/// `classes` (floats); the grid's spacing is `spacing_mm` (x y z). Per sample, with
/// options.probability: each present class's level is redrawn (tissue_level) and its texture
/// scaled, gas pockets, contrast and settled contrast layers drawn, then calibration, a smooth
/// bias, slice-thickness and kernel blur and correlated noise; with truncation_probability a
/// lateral or anterior-posterior edge of the field of view cuts the region (air in the image,
/// background in the labels).
/// Random numbers come from LibTorch's generator (seeded by the caller).
void synthesise_appearance(torch::Tensor& images, torch::Tensor& labels,
                           const std::vector<LabelClass>& classes,
                           const Normalisation& normalisation, const Vec3d& spacing_mm,
                           const AppearanceOptions& options);

}  // namespace modir::learn
