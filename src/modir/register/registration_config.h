#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace modir::reg {

/// Every setting of `modir register`, with defaults that work on CT pelvis pairs without tuning.
/// docs/registration.md documents each key; a JSON config file may set any subset of them, and
/// unknown keys are errors naming the nearest valid key.
struct InitialisationConfig {
  /// "moments": translation between the images' intensity centres of mass; "none": identity;
  /// "file": an affine matrix from `file` (modir transform.json, or elastix/ITK text parameters).
  std::string mode = "moments";
  std::filesystem::path file;
  bool rigid = true;                                ///< optimise a rigid map first
  bool affine = true;                               ///< then a full affine map
  std::string metric = "ncc";                       ///< ncc | mi | ssd | lncc
  std::vector<double> level_spacings_mm{8.0, 4.0};  ///< image spacing of each affine level
  int iterations = 60;                              ///< per level and stage
};

struct DeformableConfig {
  std::string model = "bspline";  ///< bspline | svf | none
  int levels = 3;
  double grid_spacing_mm = 10.0;  ///< control point spacing at the finest level
  /// Image spacing at the finest level (never finer than the fixed scan's own); each coarser level
  /// doubles it. Below ~1.5 mm, CT noise rather than anatomy drives the similarity; 1.75 mm was
  /// as accurate as 1.5 mm on the development pairs and a quarter faster (docs/registration.md).
  double finest_image_spacing_mm = 1.75;
  std::vector<int> iterations{80, 50, 30};  ///< per level, coarse to fine
};

struct ImageTermConfig {
  std::string metric = "lncc";  ///< lncc | ncc | ssd | mi | mind
  double weight = 1.0;
  std::string window = "box";  ///< lncc: box | gaussian
  double radius_mm = 5.0;      ///< lncc window half-width (box) or sigma (gaussian)
  int bins = 32;               ///< mi histogram bins
  int mind_radius = 1;         ///< mind patch radius (voxels)
  int mind_dilation = 2;       ///< mind neighbourhood distance (voxels)
  /// Where image terms count when no --fixed-mask is given: "body" (inside the patient's outline
  /// on a CT fixed scan; register/image_mask.h) or "none" (every voxel).
  std::string mask = "body";
};

struct GuidanceConfig {
  double label_weight = 0.02;  ///< per mm^2 of mean squared distance-map disagreement
  double band_mm = 15.0;       ///< fixed voxels within this distance of an organ surface count
  /// The label term samples its band at about this spacing (every k-th voxel per axis): it
  /// is a mean over the band, which a coarser sample estimates well, and the control grid
  /// (10 mm) cannot follow finer detail. 0 samples every voxel.
  double sample_spacing_mm = 3.0;
  /// How label residuals count: "tukey" (robust: a region labelled on one scan only cannot drag
  /// the registration) or "squared".
  std::string label_loss = "tukey";
  /// An organ's components smaller than this fraction of its largest are left out of guidance.
  double min_component_fraction = 0.1;
  std::map<int, double> organ_weights;  ///< label -> weight (default 1 for every shared label)
  std::vector<int> ignore_labels;       ///< labels that do not guide (e.g. 1 = body)
  double landmark_weight = 0.02;        ///< per mm^2 of mean squared landmark distance
  /// The same for pairs modir matched itself (--landmarks auto) instead of landmark files: such
  /// pairs are about as precise as the registration they guide (0.9 mm RMS on the development
  /// pairs of bench/landmarks), so they count less than a user's landmarks. On those pairs the
  /// mean TRE fell as this weight fell from 0.08 to 0.005, while the p95's gain shrank, most below
  /// 0.01 (docs/landmarks.md, "Guiding a registration").
  double auto_landmark_weight = 0.01;
};

struct RegularityConfig {
  double bending_weight = 100.0;
  double elastic_weight = 0.0;
  double elastic_mu = 1.0;
  double elastic_lambda = 1.0;
  double jacobian_weight =
      10.0;  ///< penalty on det J below the threshold: a guard, not a trade-off
  double jacobian_threshold = 0.2;
};

/// Bones move rigidly: the rigidity penalty (objective/regularity/rigidity_penalty.h) inside a mask
/// of rigid tissue on the fixed scan. docs/registration.md, "Rigid bones".
struct RigidityConfig {
  /// 0 = off. 1 held bones within 0.4 mm of a rigid motion and improved TRE on the development
  /// pairs (docs/registration.md, "Rigid bones"); 10 made image-only registration worse.
  double weight = 1.0;
  /// Multiplies `weight` when the mask outlines bone as drawn (bone labels, or --rigidity-mask)
  /// rather than thresholded from HU. Twice the weight on drawn bone held bones closer to rigid
  /// and lowered TRE on all 24 guided development pairs; on a thresholded mask in an image-only
  /// registration it held a bladder wall beside the pubis (docs/registration.md, "Rigid bones").
  double label_mask_scale = 2.0;
  /// Where the mask comes from: "auto" (the fixed labels in `labels` when some are present, else
  /// the fixed scan's HU above `hu_threshold`), "labels" (the fixed labels only: an error when
  /// none of `labels` is present), "intensity" (HU only).
  std::string mask = "auto";
  std::vector<int> labels{2, 7};  ///< modir's bone and femoral-head labels (docs/phantom.md)
  /// Cortical bone is 700-1200 HU and trabecular bone 150-400 HU; soft tissue, blood and urine
  /// stay below 100 HU. 200 HU keeps the bones and leaves out most contrast-free soft tissue.
  double hu_threshold = 200.0;
  /// Pieces of the intensity mask smaller than this are left out: calcifications, contrast specks
  /// and noise, which are not bones.
  double min_component_ml = 2.0;
  double sample_spacing_mm = 3.0;  ///< mask voxels sampled at about this spacing
  double orthonormality = 1.0;     ///< Staring's condition weights
  double properness = 2.0;
  double affinity = 1.0;
};

struct OptimizerConfig {
  int memory = 7;
  double relative_tolerance = 1e-5;
  int patience = 3;
};

/// Settings of `modir register --pareto N`.
struct FrontConfig {
  int solutions = 12;  ///< set by --pareto N
  /// L-BFGS iterations per solution (each starts from its nearest solved neighbour, so few are
  /// needed); the first solution, the config's own weights, gets the finest level's full count.
  int iterations = 7;
  /// Common-descent steps (register/common_descent.h) after the first solution, the config's own
  /// weights: each lowers every objective at once, so that solution dominates the single
  /// registration with the same weights unless that one is already Pareto-stationary.
  int polish_steps = 2;
  /// Warm starts take the neighbour's L-BFGS curvature pairs along with its coefficients.
  bool warm_curvature = true;
  /// Weight multipliers span 10^-decades .. 10^+decades around the config's weights.
  double decades = 1.0;
  /// Extra runs allowed to fill gaps when some solutions turn out dominated, as a fraction of N.
  double extra_fraction = 0.5;
};

struct RegistrationConfig {
  InitialisationConfig initialisation;
  DeformableConfig deformable;
  ImageTermConfig image;
  GuidanceConfig guidance;
  RegularityConfig regularity;
  RigidityConfig rigidity;
  OptimizerConfig optimizer;
  FrontConfig front;
};

/// Reads a config from JSON, starting from the defaults. Throws a usage error for unknown keys
/// (naming the nearest valid one), wrong types and out-of-range values.
RegistrationConfig parse_registration_config(const nlohmann::json& json);
RegistrationConfig read_registration_config(const std::filesystem::path& path);
/// The complete config as JSON (every key, defaults included), for report.json.
nlohmann::json to_json(const RegistrationConfig& config);
/// Range checks shared by the parser and programmatic callers.
void validate(const RegistrationConfig& config);

}  // namespace modir::reg
