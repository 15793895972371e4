#include <gtest/gtest.h>
#include <torch/torch.h>

#include "modir/learn/libtorch/appearance.h"
#include "modir/learn/libtorch/augment.h"

namespace modir::learn {
namespace {

const std::vector<LabelClass> kClasses = {
    {0, "background"}, {1, "body"}, {2, "bone"}, {3, "bladder"}, {4, "rectum"}};

Normalisation ct_normalisation() {
  Normalisation n;
  n.clip_low = -1000, n.clip_high = 1500, n.mean = 0, n.std = 100;
  return n;
}

// A batch of two regions [2, 1, 16, 20, 24]: air, a body slab with texture, and one box per organ,
// at phantom-like levels (HU / 100, the normalisation above).
void phantom_regions(torch::Tensor& images, torch::Tensor& labels) {
  labels = torch::zeros({2, 1, 16, 20, 24});
  using torch::indexing::Slice;
  labels.index_put_({Slice(), Slice(), Slice(), Slice(3, 17), Slice(2, 22)}, 1);
  labels.index_put_({Slice(), Slice(), Slice(2, 8), Slice(4, 9), Slice(3, 9)}, 2);
  labels.index_put_({Slice(), Slice(), Slice(6, 14), Slice(9, 15), Slice(10, 18)}, 3);
  labels.index_put_({Slice(), Slice(), Slice(3, 10), Slice(4, 8), Slice(13, 19)}, 4);
  const torch::Tensor level = torch::tensor({-1000.0f, -90.0f, 400.0f, 10.0f, 30.0f});
  torch::manual_seed(99);
  images = (level.index({labels.to(torch::kLong)}) + 10 * torch::randn(labels.sizes())) / 100;
  // The body's anterior half is muscle (45 HU), the posterior half fat (-90 HU).
  const torch::Tensor muscle = (labels == 1).logical_and(
      torch::arange(20).view({1, 1, 1, 20, 1}).expand(labels.sizes()) < 10);
  images = torch::where(muscle, images + 1.35, images);
}

AppearanceOptions always(double truncation = 0.0) {
  AppearanceOptions o;
  o.probability = 1.0;
  o.truncation_probability = truncation;
  return o;
}

// Tissue levels, gas and contrast only: no noise, blur, bias or calibration on top of them.
AppearanceOptions levels_only() {
  AppearanceOptions o = always();
  o.noise_low_hu = o.noise_high_hu = 0;
  o.bias_probability = 0;
  o.calibration_scale = o.calibration_offset_hu = 0;
  o.slice_thickness_low_mm = o.slice_thickness_high_mm = 0;
  o.kernel_sigma_high_mm = 0;
  return o;
}

TEST(Appearance, IsDeterministicForASeedAndDiffersAcrossSeeds) {
  torch::Tensor base_images, base_labels;
  phantom_regions(base_images, base_labels);
  const auto run = [&](std::uint64_t seed) {
    torch::Tensor images = base_images.clone(), labels = base_labels.clone();
    torch::manual_seed(seed);
    synthesise_appearance(images, labels, kClasses, ct_normalisation(), {3, 3, 3}, always(0.5));
    return std::make_pair(images, labels);
  };
  const auto a = run(7), b = run(7), c = run(8);
  EXPECT_TRUE(torch::equal(a.first, b.first));
  EXPECT_TRUE(torch::equal(a.second, b.second));
  EXPECT_FALSE(torch::equal(a.first, c.first));
}

// Without noise, blur, bias and calibration, each organ's median lands inside its declared level
// range (or the enhanced range, or gas for a gas pocket), the labels are untouched, and every
// value stays inside the normalisation's clip range.
TEST(Appearance, TissueLevelsStayWithinTheirDeclaredRanges) {
  const AppearanceOptions o = levels_only();
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    torch::Tensor images, labels;
    phantom_regions(images, labels);
    const torch::Tensor original_labels = labels.clone(), original_images = images.clone();
    torch::manual_seed(seed);
    synthesise_appearance(images, labels, kClasses, ct_normalisation(), {3, 3, 3}, o);
    ASSERT_TRUE(torch::equal(labels, original_labels));
    EXPECT_GE(images.min().item<double>(), -10.0 - 1e-5);
    EXPECT_LE(images.max().item<double>(), 15.0 + 1e-5);
    for (std::size_t k = 2; k < kClasses.size(); ++k) {  // organs: one level each (body varies)
      const TissueLevel t = tissue_level(kClasses[k].name);
      for (int b = 0; b < 2; ++b) {
        const double median =
            images[b].masked_select(labels[b] == float(k)).median().item<double>() * 100;
        const bool in_range = median >= t.low - 1 && median <= t.high + 1;
        const bool enhanced = median >= t.enhanced_low - 1 && median <= t.enhanced_high + 1 &&
                              t.enhanced_probability > 0;
        const bool gas = t.gas_probability > 0;  // a pocket may cover the median voxel
        const bool layer = t.layer_probability > 0;  // a settled layer may cover it
        EXPECT_TRUE(in_range || enhanced || gas || layer)
            << kClasses[k].name << " median " << median << " HU, seed " << seed;
      }
    }
    // The body's fat and muscle each land in their own range: fat stays darker than urine.
    const TissueLevel body = tissue_level("body");
    for (int b = 0; b < 2; ++b) {
      const torch::Tensor in_body = labels[b] == 1.0f;
      const torch::Tensor was_fat = original_images[b] * 100 < body.fat_split_hu;
      const double fat =
          images[b].masked_select(in_body & was_fat).median().item<double>() * 100;
      const double lean =
          images[b].masked_select(in_body & ~was_fat).median().item<double>() * 100;
      EXPECT_GE(fat, body.fat_low - 1) << "seed " << seed;
      EXPECT_LE(fat, body.fat_high + 1) << "seed " << seed;
      EXPECT_GE(lean, body.low - 1) << "seed " << seed;
      EXPECT_LE(lean, body.high + 1) << "seed " << seed;
      const double bladder = images[b].masked_select(labels[b] == 3.0f).median().item<double>();
      EXPECT_LT(fat, bladder * 100) << "seed " << seed;
    }
  }
}

// Settled contrast: some bladders come out as urine over a dense layer, each part inside its
// declared range, the layer on the dependent (posterior, +y) side for most of them, a share of
// the bladder within the declared bounds, and the labels untouched.
TEST(Appearance, SettledContrastLiesUnderTheUrine) {
  const AppearanceOptions o = levels_only();
  const TissueLevel t = tissue_level("bladder");
  ASSERT_GT(t.layer_probability, 0.0);
  int layered = 0, posterior = 0;
  const torch::Tensor y =
      torch::arange(20, torch::kFloat32).view({1, 1, 20, 1}).expand({1, 16, 20, 24});
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    torch::Tensor images, labels;
    phantom_regions(images, labels);
    const torch::Tensor original_labels = labels.clone();
    torch::manual_seed(seed);
    synthesise_appearance(images, labels, kClasses, ct_normalisation(), {3, 3, 3}, o);
    ASSERT_TRUE(torch::equal(labels, original_labels));
    for (int b = 0; b < 2; ++b) {
      const torch::Tensor in_bladder = labels[b] == 3.0f;
      const torch::Tensor hu = images[b] * 100;
      // The texture is 10 HU (SD) scaled by at most 1.5: a layered bladder has at least 10 %
      // of its voxels on each side of the gap between urine and layer; a bladder of one level,
      // urine or enhanced, does not.
      const torch::Tensor dense = in_bladder & (hu > t.layer_low - 40);
      const torch::Tensor urine = in_bladder & (hu < t.high + 5);
      const double n = in_bladder.sum().item<double>();
      if (dense.sum().item<double>() < 0.1 * n || urine.sum().item<double>() < 0.1 * n) continue;
      ++layered;
      const double share = dense.sum().item<double>() / n;
      EXPECT_GE(share, t.layer_share_low - 0.1) << "seed " << seed;
      EXPECT_LE(share, t.layer_share_high + 0.1) << "seed " << seed;
      const double dense_level = hu.masked_select(dense).median().item<double>();
      const double urine_level = hu.masked_select(urine).median().item<double>();
      EXPECT_GE(dense_level, t.layer_low - 20) << "seed " << seed;
      EXPECT_LE(dense_level, t.layer_high + 20) << "seed " << seed;
      EXPECT_GE(urine_level, t.low - 20) << "seed " << seed;
      EXPECT_LE(urine_level, t.high + 20) << "seed " << seed;
      posterior += y.masked_select(dense).mean().item<double>() >
                   y.masked_select(urine).mean().item<double>();
    }
  }
  EXPECT_GE(layered, 6);  // 120 bladders at p 0.15: about 18
  EXPECT_GE(posterior, layered - 3);
}

TEST(Appearance, ATruncatedEdgeIsAirAndUnlabelled) {
  int truncated = 0;
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    torch::Tensor images, labels;
    phantom_regions(images, labels);
    const torch::Tensor before = labels.clone();
    AppearanceOptions o = always(1.0);
    o.probability = 0.0;  // the edge alone
    torch::manual_seed(seed);
    synthesise_appearance(images, labels, kClasses, ct_normalisation(), {3, 3, 3}, o);
    const torch::Tensor changed = labels != before;
    truncated += changed.any().item<bool>();
    // Wherever a label was removed, the image is air; labels are only ever removed.
    EXPECT_TRUE((images.masked_select(changed) == -10.0f).all().item<bool>());
    EXPECT_TRUE(((labels == before) | (labels == 0)).all().item<bool>());
  }
  EXPECT_GE(truncated, 5);  // a shallow cut may miss the body, which stops short of the sides
}

TEST(Appearance, TissueLevelsAreChosenByName) {
  EXPECT_GT(tissue_level("Bladder").enhanced_probability, 0.0);
  EXPECT_GT(tissue_level("Rectum").gas_probability, 0.0);
  EXPECT_GE(tissue_level("femoral_heads").low, 100.0);
  EXPECT_GE(tissue_level("Pelvis_bone").low, 100.0);
  const TissueLevel body = tissue_level("BODY");
  EXPECT_TRUE(body.has_fat);
  EXPECT_LT(body.fat_high, -50.0);  // fat is darker than water on every calibrated CT
  EXPECT_GE(body.low, 0.0);
  const TissueLevel other = tissue_level("spleen");
  EXPECT_EQ(other.low, -50.0);
  EXPECT_EQ(other.high, 100.0);
}

// The spatial augmentation moves image and labels together: an image that is its own label map
// (a checkerboard of classes) still equals the label map after rotation, scaling and elastic
// deformation, away from cell borders where linear and nearest interpolation may differ.
TEST(Augment, WarpedCheckerboardKeepsLabelsOnTheImage) {
  const std::int64_t n = 24;
  torch::Tensor labels = torch::zeros({2, 1, n, n, n});
  for (std::int64_t z = 0; z < n; ++z)
    for (std::int64_t y = 0; y < n; ++y)
      for (std::int64_t x = 0; x < n; ++x)
        labels[0][0][z][y][x] = labels[1][0][z][y][x] = float((x / 6 + y / 6 + z / 6) % 2 + 1);
  AugmentOptions o;
  o.rotation_probability = o.scaling_probability = o.elastic_probability = 1.0;
  o.noise_probability = o.blur_probability = o.contrast_probability = 0.0;
  o.brightness_probability = o.gamma_probability = 0.0;
  torch::manual_seed(3);
  torch::Tensor image, target;
  augment_batch(labels.clone(), labels.clone(), {18, 18, 18}, o, true, image, target);
  // Interior voxels: the linear image is an integer class there and must match the label.
  const torch::Tensor integral = (image - image.round()).abs() < 1e-3;
  // Beyond the region, labels are padded with background and the image with its border value.
  const torch::Tensor agree = (image.round() == target) | ~integral | (target == 0);
  EXPECT_GT(integral.to(torch::kFloat32).mean().item<double>(), 0.3);
  EXPECT_TRUE(agree.all().item<bool>());
  EXPECT_FALSE(torch::equal(target, labels.slice(2, 3, 21).slice(3, 3, 21).slice(4, 3, 21)));
}

}  // namespace
}  // namespace modir::learn
