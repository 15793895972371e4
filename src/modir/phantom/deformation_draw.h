#pragma once

#include "modir/phantom/anatomy.h"
#include "modir/phantom/deformation.h"
#include "modir/phantom/phantom_options.h"
#include "modir/phantom/random.h"

namespace modir::phantom {

/// Bladder volumes of the two scans and rectal gas scales, drawn for a deformation level (or taken
/// from the options).
struct FillingPlan {
  double fixed_bladder_ml = 250.0;
  double moving_bladder_ml = 250.0;
  double moving_gas_scale = 1.0;  ///< rectal gas pocket radii in B relative to the anatomy's base
  std::vector<double> pocket_scales;  ///< per pocket: radius in B / radius in A
};

FillingPlan draw_filling(Rng& rng, const PhantomOptions& options);

/// Draws the soft deformation (bowel and background bumps, rectal gas, bladder filling from
/// plan.fixed to plan.moving) and the rigid set-up motion about `grid_centre`. With
/// `bone_margin_mm` > 0 the soft deformation fades out towards the bones (BoneShield), so bones
/// move by the set-up motion alone.
PhantomDeformation draw_deformation(Rng& rng, DeformationLevel level, const Anatomy& anatomy,
                                    FillingPlan& plan, const Vec3d& grid_centre,
                                    double bone_margin_mm = kDefaultBoneMarginMm);

}  // namespace modir::phantom
