#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "modir/objective/term.h"

namespace modir::objective {

/// One organ's guidance data, prepared once per registration and shared by all pyramid levels.
struct OrganDistanceMaps {
  std::uint16_t label = 0;
  std::string name;
  double weight = 1.0;
  Image<float> fixed;   ///< signed distance (mm, negative inside) on the fixed image's grid
  Image<float> moving;  ///< signed distance on a moving grid (any spacing; the map is smooth)
};

/// Label agreement through signed distance maps: for each organ k, over the fixed voxels within
/// `band_mm` of the fixed organ's surface,
///   E_k = mean (D_moving,k(x + u(x)) - D_fixed,k(x))^2            [mm^2],
/// and E = sum_k w_k E_k / sum_k w_k. A fixed surface point is pulled to where the moving organ's
/// surface is, inside points to inside points at the same depth. Because the moving distance map
/// is not clipped, its gradient has unit length everywhere, so the term reaches across large
/// deformations (a filling bladder) where intensities alone give no signal.
class LabelDistanceTerm final : public FieldTerm {
 public:
  /// `level_grid` is the grid of the u this term will see; the fixed maps are resampled to it.
  /// Along an axis whose spacing is finer than `sample_spacing_mm`, only every k-th voxel
  /// (k = floor(sample_spacing_mm / spacing)) of the band is used; 0 uses every voxel.
  LabelDistanceTerm(std::shared_ptr<const std::vector<OrganDistanceMaps>> organs,
                    const Geometry& level_grid, double band_mm = 15.0,
                    double sample_spacing_mm = 0.0);

  std::string name() const override { return "label distance"; }
  ObjectiveGroup group() const override { return ObjectiveGroup::kGuidance; }
  double evaluate(const DisplacementField& u, DisplacementField* gradient, double weight) override;

  /// The last evaluation's per-organ root mean square distance (mm), in the order of the organs.
  const std::vector<double>& organ_rms_mm() const { return organ_rms_; }

 private:
  struct Band {
    std::vector<std::int64_t> voxels;  ///< linear indices on the level grid
    std::vector<float> fixed_distance;
    /// Where each band voxel itself lies in the moving map, as a continuous index: the sample
    /// point is then rest_index + (world to moving index) * u, with no per-evaluation index
    /// decoding (this term was a quarter of a guided registration's time before).
    std::vector<Vec3f> rest_index;
  };
  std::shared_ptr<const std::vector<OrganDistanceMaps>> organs_;
  Geometry grid_;
  std::vector<Band> bands_;
  std::vector<double> organ_rms_;
};

}  // namespace modir::objective
