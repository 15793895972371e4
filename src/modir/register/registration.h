#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "modir/core/image.h"
#include "modir/core/point_set.h"
#include "modir/register/energy.h"
#include "modir/register/registration_config.h"
#include "modir/transform/affine.h"
#include "modir/transform/bspline_grid.h"

namespace modir::reg {

/// What a registration starts from, already read and checked (io's job): images as float, labels
/// on their images' grids, landmarks paired by id.
struct RegistrationInputs {
  Image<float> fixed;
  Image<float> moving;
  std::optional<LabelMap> fixed_labels;
  std::optional<LabelMap> moving_labels;
  std::optional<PointPairs> landmarks;
  /// The landmarks were matched by modir (--landmarks auto), not given: they guide under
  /// guidance.auto_landmark_weight instead of guidance.landmark_weight.
  bool automatic_landmarks = false;
  std::optional<Image<std::uint8_t>> fixed_mask;
  /// Rigid tissue on the fixed grid (nonzero = bone), given by the user; otherwise the rigidity
  /// config finds it (register/rigidity_mask.h).
  std::optional<Image<std::uint8_t>> rigidity_mask;
};

/// One optimisation run: a stage (rigid, affine, deformable) at one pyramid level.
struct LevelLog {
  std::string stage;
  int level = 0;
  Geometry grid;
  double control_spacing_mm = 0.0;  ///< 0 for rigid and affine stages
  int iterations = 0;
  int evaluations = 0;
  std::string stop_reason;
  double seconds = 0.0;
  std::vector<double> history;
  std::vector<TermValue> start_terms, end_terms;
};

/// The transform found: x -> T(x) + b(x) (bspline) or T(x + exp(v)(x)) (svf), or T alone.
/// An organ's small components left out of label guidance (see organ_distance_maps).
struct IgnoredIslands {
  std::string organ;  ///< label, as text
  double fixed_ml = 0.0;
  double moving_ml = 0.0;
};

/// A guiding organ that a scan's field of view cuts off: near the cut its label map says nothing
/// about the organ, and that part of its band does not guide (objective::LabelDistanceTerm).
struct CutOffOrgan {
  std::string organ;  ///< label, as text
  bool fixed = false;
  bool moving = false;
  /// Fraction of the organ's band left out at the finest level: near a cut, or mapped beyond the
  /// moving scan.
  double band_left_out = 0.0;
};

/// The mask the rigidity penalty used.
struct RigidityUsed {
  std::string source;  ///< "file", "labels 2, 7", "HU > 200"
  double volume_ml = 0.0;
  std::int64_t pieces = 0;
  double left_out_ml = 0.0;
  std::string skipped;  ///< why the penalty was off although its weight was not 0
};

struct RegistrationResult {
  transform::AffineTransform affine;
  std::string model = "none";                  ///< none | bspline | svf
  std::optional<transform::BSplineGrid> grid;  ///< b or v, with its coefficients
  std::vector<LevelLog> levels;
  std::vector<std::string> guidance_organs;      ///< labels that guided, as text
  std::vector<IgnoredIslands> guidance_islands;  ///< only organs that had some
  std::vector<CutOffOrgan> guidance_cut_off;     ///< only organs cut off by either scan
  std::optional<RigidityUsed> rigidity;          ///< when the rigidity penalty was on
  /// Fraction of the fixed scan that maps inside the moving scan (register/overlap.h), with the
  /// initial map and after the affine stages.
  double overlap_initial = 0.0;
  double overlap_after_affine = 0.0;
  /// Where the image terms counted (register/image_mask.h): its source, the fraction of the fixed
  /// grid inside, and why image.mask "body" could not be had (else empty).
  std::string image_mask_source = "none";
  double image_mask_share = 1.0;
  std::string image_mask_note;
  double seconds = 0.0;
};

/// Receives one line per finished stage/level (for progress on stderr).
using LevelCallback = std::function<void(const LevelLog&)>;

/// Registers the moving image onto the fixed one as the config says: initialisation, rigid and
/// affine stages, then the deformable model over its pyramid levels.
RegistrationResult register_images(const RegistrationInputs& inputs,
                                   const RegistrationConfig& config,
                                   const LevelCallback& on_level = {});

/// The weight of the landmark term for these inputs: guidance.auto_landmark_weight for pairs
/// modir matched itself, guidance.landmark_weight for given ones; 0 without landmarks.
double landmark_term_weight(const GuidanceConfig& config, const RegistrationInputs& inputs);

/// The result's displacement u on any grid with the fixed image's direction (x -> x + u(x)).
DisplacementField displacement_on(const RegistrationResult& result, const Geometry& grid);

}  // namespace modir::reg
