#include "modir/phantom/deformation_draw.h"

#include <algorithm>
#include <cmath>
#include <memory>

namespace modir::phantom {

FillingPlan draw_filling(Rng& rng, const PhantomOptions& options) {
  FillingPlan plan;
  double small = 0, large = 0;
  switch (options.deformation) {
    case DeformationLevel::kNone: small = large = rng.uniform(150, 350); break;
    case DeformationLevel::kModerate:
      small = rng.uniform(150, 260);
      large = small * rng.uniform(1.2, 1.6);
      break;
    case DeformationLevel::kLarge:
      small = rng.uniform(120, 180);
      large = rng.uniform(400, 500);
      break;
  }
  // Either scan may be the full one: registration must work both ways.
  const bool fixed_is_full = rng.chance(0.5);
  plan.fixed_bladder_ml = options.fixed_bladder_ml.value_or(fixed_is_full ? large : small);
  plan.moving_bladder_ml = options.moving_bladder_ml.value_or(fixed_is_full ? small : large);
  plan.moving_gas_scale =
      options.deformation == DeformationLevel::kNone ? 1.0 : rng.uniform(0.7, 1.3);
  return plan;
}

namespace {

Mat3 rotation_about(const Vec3d& axis, double angle) {
  const Vec3d n = axis / axis.norm();
  const double c = std::cos(angle), s = std::sin(angle), t = 1.0 - c;
  Mat3 r;
  r.m = {{{t * n.x * n.x + c, t * n.x * n.y - s * n.z, t * n.x * n.z + s * n.y},
          {t * n.x * n.y + s * n.z, t * n.y * n.y + c, t * n.y * n.z - s * n.x},
          {t * n.x * n.z - s * n.y, t * n.y * n.z + s * n.x, t * n.z * n.z + c}}};
  return r;
}

Vec3d random_direction(Rng& rng) {
  for (;;) {
    const Vec3d v{rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)};
    const double n = v.norm();
    if (n > 0.1 && n <= 1.0) return v / n;
  }
}

void add_bumps(Rng& rng, GaussianBumps& bumps, int count, const Vec3d& centre, const Vec3d& spread,
               double max_amplitude, double min_width, double max_width) {
  for (int k = 0; k < count; ++k) {
    bumps.centres.push_back(centre + Vec3d{rng.uniform(-spread.x, spread.x),
                                           rng.uniform(-spread.y, spread.y),
                                           rng.uniform(-spread.z, spread.z)});
    bumps.amplitudes.push_back(random_direction(rng) * rng.uniform(0.3, 1.0) * max_amplitude);
    bumps.widths.push_back(rng.uniform(min_width, max_width));
  }
}

}  // namespace

PhantomDeformation draw_deformation(Rng& rng, DeformationLevel level, const Anatomy& anatomy,
                                    FillingPlan& plan, const Vec3d& grid_centre,
                                    double bone_margin_mm) {
  const StarShape& bladder_b = anatomy.bladder();
  RadialFilling bladder;
  bladder.shape = bladder_b;
  bladder.s = std::cbrt(plan.moving_bladder_ml / plan.fixed_bladder_ml);
  bladder.shape.scale = bladder_b.scale / bladder.s;  // the bladder as scan A holds it

  plan.pocket_scales.clear();
  if (level == DeformationLevel::kNone) {
    plan.pocket_scales.assign(anatomy.rectal_gas().size(), 1.0);
    return PhantomDeformation({}, {}, bladder,
                              RigidMotion{Mat3::identity(), grid_centre, {0, 0, 0}});
  }
  const bool large = level == DeformationLevel::kLarge;

  // Bowel loops move above the bladder; a gentle background field everywhere else.
  GaussianBumps bumps;
  const Vec3d above_bladder = bladder_b.centre + Vec3d{0, 0, 70};
  add_bumps(rng, bumps, rng.integer(2, 4), above_bladder, {50, 30, 30}, large ? 8.0 : 4.0, 30, 45);
  add_bumps(rng, bumps, rng.integer(4, 6), grid_centre, {90, 60, 70}, large ? 4.0 : 2.5, 50, 80);
  const double bound = bumps.gradient_bound();
  if (bound > 0.4) {
    for (Vec3d& a : bumps.amplitudes) a = a * (0.4 / bound);
  }

  // Rectal gas: each pocket of scan B had another size in scan A.
  std::vector<RadialFilling> pockets;
  for (const auto& [centre, radius] : anatomy.rectal_gas()) {
    RadialFilling pocket;
    pocket.s = rng.uniform(0.6, 1.5);
    plan.pocket_scales.push_back(pocket.s);
    pocket.shape.centre = bladder.invert(centre);
    pocket.shape.semi_axes = {radius / pocket.s, radius / pocket.s, radius / pocket.s};
    pockets.push_back(pocket);
  }

  RigidMotion rigid;
  rigid.centre = grid_centre;
  const double max_angle = (large ? 3.0 : 1.5) * M_PI / 180.0;
  rigid.rotation = rotation_about(random_direction(rng), rng.uniform(0.3, 1.0) * max_angle);
  rigid.translation = random_direction(rng) * rng.uniform(0.3, 1.0) * (large ? 15.0 : 7.0);
  std::shared_ptr<const BoneShield> shield;
  if (bone_margin_mm > 0) shield = std::make_shared<const BoneShield>(anatomy, bone_margin_mm);
  return PhantomDeformation(std::move(bumps), std::move(pockets), bladder, rigid,
                            std::move(shield));
}

}  // namespace modir::phantom
