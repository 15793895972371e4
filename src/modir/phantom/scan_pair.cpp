#include "modir/phantom/scan_pair.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

#include "modir/core/version.h"
#include "modir/phantom/acquisition.h"
#include "modir/phantom/couch.h"
#include "modir/phantom/deformation_draw.h"
#include "modir/phantom/landmarks.h"
#include "modir/phantom/metal_artefacts.h"
#include "modir/phantom/noise.h"
#include "modir/transform/jacobian.h"

namespace modir::phantom {

using nlohmann::json;

namespace {

constexpr std::size_t kMinimumLandmarks = 100;

json organ_volumes(const LabelMap& labels) {
  std::array<std::int64_t, kLabelCount> counts{};
  for (const std::uint16_t v : labels.buffer()) {
    if (v < kLabelCount) ++counts[v];
  }
  const double voxel_ml = labels.geometry().voxel_ml();
  json j = json::object();
  for (int l = 1; l < kLabelCount; ++l) j[std::string(kLabelNames[l])] = counts[l] * voxel_ml;
  return j;
}

json geometry_json(const Geometry& g) {
  json j;
  j["size"] = {g.size[0], g.size[1], g.size[2]};
  j["spacing_mm"] = {g.spacing.x, g.spacing.y, g.spacing.z};
  j["origin_mm"] = {g.origin.x, g.origin.y, g.origin.z};
  return j;
}

json displacement_summary(const DisplacementField& u, const LabelMap& fixed_labels) {
  double max_all = 0.0, sum_body = 0.0;
  std::int64_t body = 0;
  for (std::int64_t v = 0; v < u.voxel_count(); ++v) {
    const double length = u.data()[v].cast<double>().norm();
    max_all = std::max(max_all, length);
    if (fixed_labels.data()[v] != kBackground) {
      sum_body += length;
      ++body;
    }
  }
  return {{"max_mm", max_all},
          {"mean_in_body_mm", body > 0 ? sum_body / static_cast<double>(body) : 0.0}};
}

double rotation_angle_degrees(const Mat3& r) {
  const double c = std::clamp((r(0, 0) + r(1, 1) + r(2, 2) - 1.0) / 2.0, -1.0, 1.0);
  return std::acos(c) * 180.0 / M_PI;
}

}  // namespace

PairPlan plan_pair(const PhantomOptions& options) {
  // Independent streams per part, so changing one part of the generator leaves the others be.
  // (Each fork draws from the root: the order of the forks is part of the seed's meaning.)
  Rng root(options.seed);
  Rng sex_rng = root.fork(1), filling_rng = root.fork(2), anatomy_rng = root.fork(3),
      deformation_rng = root.fork(4), grid_rng = root.fork(5), scanner_rng = root.fork(6);
  const Sex sex = options.sex.value_or(sex_rng.chance(0.5) ? Sex::kFemale : Sex::kMale);
  FillingPlan filling = draw_filling(filling_rng, options);
  Anatomy anatomy(anatomy_rng, sex, {filling.moving_bladder_ml, filling.moving_gas_scale});

  // Scan A is centred on the bladder-prostate-rectum region, jittered so the voxel grid does not
  // line up with the anatomy the same way for every patient.
  const auto [body_min, body_max] = anatomy.body_bounds();
  const Vec3d centre{grid_rng.uniform(-5, 5),
                     0.5 * (body_min.y + body_max.y) + grid_rng.uniform(-5, 5),
                     anatomy.bladder().centre.z + grid_rng.uniform(0, 15)};
  // Variety has its own stream, drawn after the others, so pairs without it stay as they were.
  std::optional<PairVariety> variety;
  if (options.variety) {
    Rng variety_rng = root.fork(7);
    variety = draw_variety(variety_rng);
  }
  const Geometry nominal_grid = fixed_scan_grid(options.size, centre);
  const Geometry fixed_grid = variety ? varied_grid(nominal_grid, variety->fixed) : nominal_grid;
  const Geometry moving_grid =
      moving_scan_grid(grid_rng, options.deformation,
                       variety ? varied_grid(nominal_grid, variety->moving) : fixed_grid);
  return PairPlan{sex,         filling, std::move(anatomy), centre,     variety, fixed_grid,
                  moving_grid, root,    deformation_rng,    scanner_rng};
}

// Peak memory of a pair: the program, then per 2^20 voxels of the fixed scan what lives on its
// grid at the peak (HU and labels, the ground-truth field, its Jacobian, the acquired scan and
// the writers' copies: about 31 MiB), and a little per voxel of the moving scan, which is
// acquired and freed before the field's Jacobian. Least squares over 9 measured pairs (small and
// medium, with and without --variety; bench/phantom/README.md): within -6 % .. +13 % of each.
constexpr double kPhantomBaseMiB = 75.8;
constexpr double kPhantomMiBPerFixedMegavoxel = 30.8;
constexpr double kPhantomMiBPerMovingMegavoxel = 2.2;

double estimate_pair_memory_mib(const PairPlan& plan) {
  const double fixed = static_cast<double>(plan.fixed_grid.voxel_count()) / (1 << 20);
  const double moving = static_cast<double>(plan.moving_grid.voxel_count()) / (1 << 20);
  return kPhantomBaseMiB + kPhantomMiBPerFixedMegavoxel * fixed +
         kPhantomMiBPerMovingMegavoxel * moving;
}

PhantomPair generate_pair(const PhantomOptions& options) {
  return generate_pair(options, plan_pair(options));
}

PhantomPair generate_pair(const PhantomOptions& options, PairPlan plan) {
  Rng& root = plan.root;
  Rng& deformation_rng = plan.deformation_rng;
  Rng& scanner_rng = plan.scanner_rng;
  const Anatomy& anatomy = plan.anatomy;
  FillingPlan& filling = plan.filling;  // draw_deformation settles the fixed filling
  const Vec3d& centre = plan.centre;
  const std::optional<PairVariety>& variety = plan.variety;
  const Geometry& fixed_grid = plan.fixed_grid;
  const Geometry& moving_grid = plan.moving_grid;
  const Sex sex = plan.sex;
  const PhantomDeformation deformation = draw_deformation(
      deformation_rng, options.deformation, anatomy, filling, centre, options.bone_margin_mm);

  // The couch, the metal and the arms have their own streams. The couch's is forked first, as
  // it was before there were the others, so that a seed's couch is the same with or without
  // them (and the metal's is forked before the arms').
  std::optional<Couch> couch;
  if (options.couch) {
    Rng couch_rng = root.fork(8);
    couch = draw_couch(couch_rng);
  }
  std::optional<HipProsthesis> prosthesis;
  if (options.metal) {
    Rng metal_rng = root.fork(9);
    prosthesis = draw_hip_prosthesis(metal_rng);
    plan.anatomy.add_hip_prostheses(*prosthesis);
  }
  std::optional<ArmsDesign> arms;
  if (options.arms) {
    Rng arms_rng = root.fork(10);
    arms = draw_arms(arms_rng);
    plan.anatomy.add_arms(*arms);
  }
  std::optional<CalcificationDesign> calcified;
  if (options.calcifications) {
    Rng calcification_rng = root.fork(11);
    calcified = draw_calcifications(calcification_rng);
    plan.anatomy.add_calcifications(*calcified);
  }
  std::optional<FiducialDesign> markers;
  if (options.markers) {
    Rng marker_rng = root.fork(12);
    markers = draw_fiducials(marker_rng);
    plan.anatomy.add_fiducials(*markers);
  }

  PhantomPair pair;
  IdealScan fixed = render_fixed(anatomy, deformation, fixed_grid, pair.ground_truth);
  IdealScan moving = render_moving(anatomy, deformation, moving_grid);

  const LandmarkPairs landmarks =
      place_landmarks(anatomy, deformation, fixed_grid, moving_grid, fixed.hu, kMinimumLandmarks);
  pair.fixed_landmarks = landmarks.fixed;
  pair.moving_landmarks = landmarks.moving;

  // The couch comes after the landmarks, which are the patient's.
  if (couch) {
    add_couch(fixed, *couch);
    add_couch(moving, *couch);
  }

  double fixed_noise = options.noise_sigma_hu.value_or(scanner_rng.uniform(10, 25));
  double moving_noise = options.noise_sigma_hu.value_or(scanner_rng.uniform(10, 25));
  const std::uint64_t noise_seed = options.seed * 2 + 1;
  // All the metal's streaks at once, one strength per scan.
  const bool markers_placed = markers && !anatomy.fiducials()->seeds().empty();
  const std::optional<StreakStrength> streaks =
      scan_streaks(prosthesis, markers_placed ? std::optional(markers->streaks) : std::nullopt);
  if (streaks) {
    // The streaks come from the scanner's reconstruction: each scan's own, with its own noise
    // (a scanner variety's level unless --noise set one for both).
    const bool variety_noise = variety && !options.noise_sigma_hu;
    const double fixed_level = variety_noise ? variety->fixed.noise_sigma_hu : fixed_noise;
    const double moving_level = variety_noise ? variety->moving.noise_sigma_hu : moving_noise;
    add_metal_artefacts(fixed.hu, *streaks, fixed_level, metal_noise_seed(noise_seed));
    add_metal_artefacts(moving.hu, *streaks, moving_level, metal_noise_seed(noise_seed + 1));
  }
  if (variety) {
    Acquisition fixed_scanner = acquisition_of(variety->fixed);
    Acquisition moving_scanner = acquisition_of(variety->moving);
    if (options.noise_sigma_hu)
      fixed_scanner.noise_sigma = moving_scanner.noise_sigma = fixed_noise;
    moving_scanner.offset += options.moving_hu_offset;
    fixed_noise = fixed_scanner.noise_sigma;
    moving_noise = moving_scanner.noise_sigma;
    pair.fixed = {acquire(std::move(fixed.hu), fixed_scanner, noise_seed), std::move(fixed.labels)};
    pair.moving = {acquire(std::move(moving.hu), moving_scanner, noise_seed + 1),
                   std::move(moving.labels)};
  } else {
    pair.fixed = {acquire(std::move(fixed.hu), fixed_noise, 0.0, noise_seed),
                  std::move(fixed.labels)};
    pair.moving = {
        acquire(std::move(moving.hu), moving_noise, options.moving_hu_offset, noise_seed + 1),
        std::move(moving.labels)};
  }

  const transform::JacobianStatistics jacobian =
      transform::jacobian_statistics(transform::jacobian_determinant(pair.ground_truth));
  const RigidMotion& rigid = deformation.rigid();
  json& meta = pair.meta;
  meta["generator"] = {{"name", "modir phantom"}, {"version", kVersion}};
  meta["seed"] = options.seed;
  meta["size"] = size_name(options.size);
  meta["deformation"] = deformation_name(options.deformation);
  meta["sex"] = sex_name(sex);
  meta["labels"] = json::object();
  for (int l = 0; l < kLabelCount; ++l) meta["labels"][std::to_string(l)] = kLabelNames[l];
  meta["bladder_target_ml"] = {{"fixed", filling.fixed_bladder_ml},
                               {"moving", filling.moving_bladder_ml}};
  meta["organ_volumes_ml"] = {{"fixed", organ_volumes(pair.fixed.labels)},
                              {"moving", organ_volumes(pair.moving.labels)}};
  meta["displacement"] = displacement_summary(pair.ground_truth, pair.fixed.labels);
  meta["jacobian"] = {
      {"min", jacobian.min}, {"max", jacobian.max}, {"folded_fraction", jacobian.folded_fraction}};
  meta["rigid"] = {
      {"rotation_deg", rotation_angle_degrees(rigid.rotation)},
      {"translation_mm", {rigid.translation.x, rigid.translation.y, rigid.translation.z}}};
  meta["rectal_gas_pocket_scales"] = filling.pocket_scales;
  meta["bone_margin_mm"] = options.bone_margin_mm;
  meta["variety"] =
      variety ? json{{"fixed", to_json(variety->fixed)}, {"moving", to_json(variety->moving)}}
              : json(nullptr);
  meta["couch"] = couch ? to_json(*couch) : json(nullptr);
  meta["metal"] = prosthesis ? to_json(*prosthesis) : json(nullptr);
  meta["arms"] = arms ? to_json(*arms) : json(nullptr);
  meta["markers"] = markers ? fiducials_json(*markers, *anatomy.fiducials()) : json(nullptr);
  meta["calcifications"] =
      calcified ? calcifications_json(*calcified, *anatomy.calcifications()) : json(nullptr);
  meta["acquisition"] = {{"noise_sigma_hu", {{"fixed", fixed_noise}, {"moving", moving_noise}}},
                         {"moving_hu_offset", options.moving_hu_offset},
                         {"blur_sigma_mm", {0.6, 0.6, 0.8}}};
  meta["grids"] = {{"fixed", geometry_json(fixed_grid)}, {"moving", geometry_json(moving_grid)}};
  meta["landmarks"] = pair.fixed_landmarks.size();
  return pair;
}

}  // namespace modir::phantom
