#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "modir/core/geometry.h"
#include "modir/phantom/anatomy.h"

namespace modir::phantom {

/// Scan sizes: small ~96x96x48 at 2x2x3 mm (seconds to register; the in-plane field of view of
/// 192 mm covers the central pelvis only, like a cone-beam CT), medium ~256x256x96 at 1x1x3 mm
/// (256 mm), large ~512x512x160 at 0.9x0.9x2.5 mm (clinical size, the whole pelvis).
enum class PhantomSize { kSmall, kMedium, kLarge };

/// How much scan B differs from scan A: none (same anatomy, same grid, only noise differs),
/// moderate (bladder +20..60 %, small set-up error), large (e.g. 150 vs 450 ml, up to 15 mm / 3
/// deg).
enum class DeformationLevel { kNone, kModerate, kLarge };

/// Soft tissue within this distance of bone moves less the closer it is, and bone not at all
/// (besides the set-up motion): phantom/bone_shield.h.
inline constexpr double kDefaultBoneMarginMm = 25.0;

struct PhantomOptions {
  std::uint64_t seed = 1;
  PhantomSize size = PhantomSize::kSmall;
  DeformationLevel deformation = DeformationLevel::kModerate;
  std::optional<Sex> sex;                  ///< drawn from the seed when absent
  std::optional<double> fixed_bladder_ml;  ///< drawn from the level when absent
  std::optional<double> moving_bladder_ml;
  double moving_hu_offset = 0.0;         ///< scanner calibration difference added to B
  std::optional<double> noise_sigma_hu;  ///< drawn in 10..25 HU per scan when absent
  /// 0 lets the soft deformation act on bone too (the generator before bones were shielded).
  double bone_margin_mm = kDefaultBoneMarginMm;
  /// Draw each scan's protocol (slice thickness, range, field of view, kernel, noise level and
  /// texture, contrast, calibration) from the seed: phantom/variety.h. Off: the fixed protocol of
  /// the size, as before.
  bool variety = false;
  /// A patient couch under the patient in both scans (phantom/couch.h), drawn from the seed.
  bool couch = false;
  /// Total hip replacements (one or both hips) and the streaks their metal casts, drawn from the
  /// seed (phantom/hip_prosthesis.h, phantom/metal_artefacts.h).
  bool metal = false;
  /// Both forearms beside the hips and thighs (phantom/arms.h), drawn from the seed: only the
  /// large size's field of view shows them.
  bool arms = false;
  /// Phleboliths, arterial plaques and prostatic calcifications (phantom/calcifications.h),
  /// drawn from the seed.
  bool calcifications = false;
  /// Gold fiducial markers in a man's prostate and their streaks (phantom/fiducial_markers.h),
  /// drawn from the seed; a woman's pair gets none.
  bool markers = false;
};

std::string size_name(PhantomSize size);
std::string deformation_name(DeformationLevel level);
std::string sex_name(Sex sex);

/// The inverses of the names above, for the command line and the Python package: a usage error
/// naming `option` and the valid names for anything else.
PhantomSize parse_size(const std::string& name, const std::string& option);
DeformationLevel parse_deformation(const std::string& name, const std::string& option);
Sex parse_sex(const std::string& name, const std::string& option);

/// The grid of scan A for a size, centred on `centre` (anatomy frame).
Geometry fixed_scan_grid(PhantomSize size, const Vec3d& centre);

}  // namespace modir::phantom
