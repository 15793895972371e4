#include "modir/learn/libtorch/appearance.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <torch/nn/functional.h>

namespace modir::learn {

namespace F = torch::nn::functional;

namespace {

double uniform(double lo, double hi) {
  return lo + (hi - lo) * torch::rand({1}).item<double>();
}
bool chance(double p) {
  return p > 0 && torch::rand({1}).item<double>() < p;
}

bool contains(const std::string& text, std::initializer_list<const char*> words) {
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* w : words)
    if (lower.find(w) != std::string::npos) return true;
  return false;
}

// Separable Gaussian blur of a [1, 1, z, y, x] tensor with its own sigma (voxels) per axis
// (x y z); an axis with sigma below 0.1 voxel is left alone.
torch::Tensor blur(const torch::Tensor& image, const std::array<double, 3>& sigma) {
  torch::Tensor x = image;
  for (int axis = 0; axis < 3; ++axis) {
    const double s = sigma[static_cast<std::size_t>(axis)];
    if (s < 0.1) continue;
    const int radius = std::max(1, static_cast<int>(std::ceil(2.5 * s)));
    torch::Tensor kernel = torch::arange(-radius, radius + 1, torch::kFloat32);
    kernel = torch::exp(-0.5 * (kernel / s).square());
    kernel = kernel / kernel.sum();
    std::vector<std::int64_t> shape{1, 1, 1, 1, 1};
    shape[static_cast<std::size_t>(4 - axis)] = 2 * radius + 1;
    std::vector<std::int64_t> pad(6, 0);  // x low/high, y, z
    pad[static_cast<std::size_t>(2 * axis)] = radius;
    pad[static_cast<std::size_t>(2 * axis + 1)] = radius;
    x = F::conv3d(F::pad(x, F::PadFuncOptions(pad).mode(torch::kReplicate)), kernel.view(shape));
  }
  return x;
}

// A smooth random field on a [1, 1, z, y, x] grid: coarse normal noise upsampled, values ~N(0, 1).
torch::Tensor smooth_field(const torch::IntArrayRef& size, std::int64_t coarse) {
  return F::interpolate(torch::randn({1, 1, coarse, coarse, coarse}),
                        F::InterpolateFuncOptions()
                            .size(std::vector<std::int64_t>{size[2], size[3], size[4]})
                            .mode(torch::kTrilinear)
                            .align_corners(true));
}

// The scan's texture around `own_level`, scaled by `gain`, moved to `level`.
torch::Tensor moved_texture(const torch::Tensor& hu, double own_level, double gain, double level) {
  return (hu - own_level) * gain + level;
}

// A class with one tissue (its own median `own_level`): moved to a drawn level.
torch::Tensor redraw_one_level(const torch::Tensor& hu, double own_level, const TissueLevel& t,
                               double gain) {
  const double level = chance(t.enhanced_probability) ? uniform(t.enhanced_low, t.enhanced_high)
                                                      : uniform(t.low, t.high);
  return moved_texture(hu, own_level, gain, level);
}

// A class of fat and lean tissue: the fat's median and the lean tissue's median move to levels
// drawn from their own ranges, by a monotone piecewise-linear map of the scan's HU (linear between
// the two medians, slope `gain` beyond them), so partial-volume voxels between fat and muscle stay
// between them and fat stays darker than everything lean. With too little of one part (under 2 %
// of the class) the class is redrawn as the part it mostly is.
torch::Tensor redraw_fat_and_lean(const torch::Tensor& hu, const torch::Tensor& in_class,
                                  const TissueLevel& t, double gain) {
  const torch::Tensor values = hu.masked_select(in_class);
  const torch::Tensor is_fat = values < t.fat_split_hu;
  const double fat_share = is_fat.to(torch::kFloat32).mean().item<double>();
  const double fat_level = uniform(t.fat_low, t.fat_high);
  const double lean_level = uniform(t.low, t.high);
  if (fat_share < 0.02 || fat_share > 0.98) {
    const double level = fat_share > 0.98 ? fat_level : lean_level;
    return moved_texture(hu, values.median().item<double>(), gain, level);
  }
  const double own_fat = values.masked_select(is_fat).median().item<double>();
  const double own_lean = values.masked_select(~is_fat).median().item<double>();
  const double between = (lean_level - fat_level) / std::max(own_lean - own_fat, 1.0);
  return torch::where(hu <= own_fat, (hu - own_fat) * gain + fat_level,
                      torch::where(hu >= own_lean, (hu - own_lean) * gain + lean_level,
                                   (hu - own_fat) * between + fat_level));
}

// Settled contrast in a class already redrawn as `redrawn`: the voxels beyond a plane nearly
// perpendicular to gravity (a tilt of up to about 8 degrees, the patient's or the couch's) get a
// dense level with the same texture. The plane cuts off a drawn share of the class's voxels.
torch::Tensor add_settled_layer(const torch::Tensor& hu, const torch::Tensor& in_class,
                                double own_level, const torch::Tensor& redrawn,
                                const TissueLevel& t, double gain, const Vec3d& spacing_mm) {
  const auto size = hu.sizes();                  // [1, 1, z, y, x]
  const double down = chance(0.9) ? 1.0 : -1.0;  // supine: posterior is +y on the LPS grid
  const double tilt_x = uniform(-0.15, 0.15), tilt_z = uniform(-0.15, 0.15);
  const auto axis = [](std::int64_t n, double step, double weight,
                       std::vector<std::int64_t> shape) {
    return (torch::arange(n, torch::kFloat32) * static_cast<float>(step * weight)).view(shape);
  };
  const torch::Tensor depth = axis(size[4], spacing_mm.x, tilt_x, {1, 1, 1, 1, size[4]}) +
                              axis(size[3], spacing_mm.y, down, {1, 1, 1, size[3], 1}) +
                              axis(size[2], spacing_mm.z, tilt_z, {1, 1, size[2], 1, 1});
  const double share = uniform(t.layer_share_low, t.layer_share_high);
  const double level = depth.masked_select(in_class).quantile(1.0 - share).item<double>();
  const torch::Tensor dense = in_class & (depth > level);
  const torch::Tensor layer =
      moved_texture(hu, own_level, gain, uniform(t.layer_low, t.layer_high));
  return torch::where(dense, layer, redrawn);
}

// One sample [1, 1, z, y, x] in HU: each class's level redrawn, texture scaled, gas and contrast.
void redraw_tissues(torch::Tensor& hu, const torch::Tensor& labels,
                    const std::vector<LabelClass>& classes, const Vec3d& spacing_mm,
                    const AppearanceOptions& o) {
  torch::Tensor out = hu.clone();
  for (std::size_t k = 1; k < classes.size(); ++k) {
    const torch::Tensor in_class = labels == static_cast<float>(k);
    if (!in_class.any().item<bool>()) continue;
    TissueLevel t = tissue_level(classes[k].name);
    const double gain = uniform(o.texture_gain_low, o.texture_gain_high);
    const bool layered = chance(t.layer_probability);
    if (layered) t.enhanced_probability = 0.0;  // urine above the layer
    torch::Tensor redrawn;
    if (t.has_fat) {
      redrawn = redraw_fat_and_lean(hu, in_class, t, gain);
    } else {
      const double own_level = hu.masked_select(in_class).median().item<double>();
      redrawn = redraw_one_level(hu, own_level, t, gain);
      if (layered)
        redrawn = add_settled_layer(hu, in_class, own_level, redrawn, t, gain, spacing_mm);
    }
    if (chance(t.gas_probability)) {
      // Gas fills the part of the organ where a smooth random field is highest: 10-50 % of it.
      const torch::Tensor field = smooth_field(hu.sizes(), 5);
      const double fraction = uniform(0.1, 0.5);
      const torch::Tensor inside = field.masked_select(in_class);
      const double threshold = inside.quantile(1.0 - fraction).item<double>();
      redrawn = torch::where(field > threshold, torch::full_like(hu, uniform(-950, -700)), redrawn);
    }
    out = torch::where(in_class, redrawn, out);
  }
  hu = out;
}

}  // namespace

TissueLevel tissue_level(const std::string& name) {
  TissueLevel t;
  if (contains(name, {"femoral", "femur_head", "femurhead"})) {
    t.low = 150, t.high = 600;
  } else if (contains(name, {"bone", "pelvis", "femur", "sacrum", "vertebra"})) {
    t.low = 150, t.high = 700;
  } else if (contains(name, {"bladder"})) {
    t.low = -10, t.high = 45;
    t.enhanced_probability = 0.2, t.enhanced_low = 80, t.enhanced_high = 400;
    // Excreted contrast settles under the urine on a scan taken soon after an enhanced one.
    t.layer_probability = 0.15, t.layer_low = 150, t.layer_high = 900;
  } else if (contains(name, {"rectum", "anorect"})) {
    t.low = -60, t.high = 60;
    t.gas_probability = 0.3;
  } else if (contains(name, {"bowel", "colon", "intestin", "sigmoid"})) {
    t.low = -60, t.high = 80;
    t.enhanced_probability = 0.2, t.enhanced_low = 100, t.enhanced_high = 300;
    t.gas_probability = 0.3;
  } else if (contains(name, {"prostate", "uterus", "cervix", "vesicle"})) {
    t.low = 15, t.high = 90;
  } else if (contains(name, {"body", "external", "skin"})) {
    // Fat (adipose tissue, about -120 .. -80 HU on calibrated scanners) and lean soft tissue
    // (muscle, skin, glands: about 20 .. 60 HU), each drawn wide around its physical range.
    t.has_fat = true;
    t.fat_low = -130, t.fat_high = -60;
    t.low = 0, t.high = 70;
  }
  return t;
}

void synthesise_appearance(torch::Tensor& images, torch::Tensor& labels,
                           const std::vector<LabelClass>& classes,
                           const Normalisation& normalisation, const Vec3d& spacing_mm,
                           const AppearanceOptions& o) {
  if (normalisation.scheme != "ct") return;  // HU ranges mean nothing for other modalities
  const double mean = normalisation.mean, std = normalisation.std;
  for (std::int64_t b = 0; b < images.size(0); ++b) {
    torch::Tensor x = images.slice(0, b, b + 1);  // views: writes land in the batch
    torch::Tensor t = labels.slice(0, b, b + 1);
    if (chance(o.probability)) {
      torch::Tensor hu = x * std + mean;
      redraw_tissues(hu, t, classes, spacing_mm, o);
      hu = hu * uniform(1 - o.calibration_scale, 1 + o.calibration_scale) +
           uniform(-o.calibration_offset_hu, o.calibration_offset_hu);
      if (chance(o.bias_probability)) hu = hu + smooth_field(hu.sizes(), 3) * uniform(0, o.bias_hu);
      const double thickness = uniform(o.slice_thickness_low_mm, o.slice_thickness_high_mm);
      const double kernel = uniform(0.0, o.kernel_sigma_high_mm);
      // FWHM of a slice profile is its thickness: sigma = thickness / 2.355.
      hu = blur(hu, {kernel / spacing_mm.x, kernel / spacing_mm.y,
                     std::hypot(thickness / 2.355, kernel) / spacing_mm.z});
      const double correlation = uniform(0.0, o.noise_correlation_high_mm);
      torch::Tensor noise = torch::randn_like(hu);
      if (correlation > 0.1 * spacing_mm.x) {
        noise = blur(noise, {correlation / spacing_mm.x, correlation / spacing_mm.y,
                             correlation / spacing_mm.z});
        noise = noise / noise.std().clamp_min(1e-6);
      }
      hu = hu + noise * uniform(o.noise_low_hu, o.noise_high_hu);
      x.copy_((hu.clamp(normalisation.clip_low, normalisation.clip_high) - mean) / std);
    }
    if (chance(o.truncation_probability)) {
      // The field of view's edge: everything beyond a plane near one lateral or AP side is air
      // and unlabelled, as on a scan whose reconstruction circle cuts the patient.
      const int axis = chance(0.5) ? 4 : 3;  // x or y
      const std::int64_t n = x.size(axis);
      const auto depth =
          static_cast<std::int64_t>(std::round(uniform(0.05, o.max_truncation_fraction) * n));
      const bool low_side = chance(0.5);
      const std::int64_t start = low_side ? 0 : n - depth, end = low_side ? depth : n;
      const float air = static_cast<float>((normalisation.clip_low - mean) / std);
      x.narrow(axis, start, end - start).fill_(air);
      t.narrow(axis, start, end - start).fill_(0.0f);
    }
  }
}

}  // namespace modir::learn
