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
  /// Signed distance (mm, negative inside) on the fixed image's grid. Only the band is read, so
  /// it may be exact only near the organ and hold a lower bound beyond the band elsewhere
  /// (organ_distance_maps computes it on the organ's box).
  Image<float> fixed;
  Image<float> moving;  ///< signed distance on a moving grid (any spacing; the map is smooth)
  /// Distance (mm) to where the moving scan's field of view cuts the organ off
  /// (filter::distance_to_cut on the grid of `moving`); empty when it is not cut off there. On the
  /// fixed side such voxels are simply NaN in `fixed` (see mark_cut_off), which the term skips.
  Image<float> moving_cut;
  bool fixed_cut_off = false;  ///< the fixed scan cuts the organ off (some of `fixed` is NaN)
  double fixed_islands_ml = 0.0;   ///< small components left out of `fixed` (see guidance_maps)
  double moving_islands_ml = 0.0;  ///< small components left out of `moving`
};

/// Sets to NaN the voxels of a signed distance map that may measure to where the field of view cuts
/// the organ off rather than to the organ (|distance| not below the distance to the cut, `cut` from
/// filter::distance_to_cut on the same grid; nothing when `cut` is empty).
void mark_cut_off(Image<float>& distance, const Image<float>& cut);

/// How the label term weighs a band voxel's residual r (mm).
enum class LabelLoss {
  kSquared,  ///< r^2
  /// Tukey's biweight, rho(r) = c^2/3 (1 - (1 - (r/c)^2)^3) for |r| < c and c^2/3 beyond, which
  /// equals r^2 near 0. c = max(4.685 * 1.4826 * median |r|, 5 mm) per organ, from the residuals
  /// at the term's first evaluation (the level's starting field), then fixed: one energy per level.
  kTukey,
};

/// Label agreement through signed distance maps: for each organ k, over the fixed voxels within
/// `band_mm` of the fixed organ's surface,
///   E_k = mean rho(D_moving,k(x + u(x)) - D_fixed,k(x))            [mm^2],
/// and E = sum_k w_k E_k / sum_k w_k, with rho a LabelLoss. A fixed surface point is pulled to
/// where the moving organ's surface is, inside points to inside points at the same depth. Because
/// the moving distance map is not clipped, its gradient has unit length everywhere, so the term
/// reaches across large deformations (a filling bladder) where intensities alone give no signal.
///
/// Why a robust loss: where the two label maps disagree in a way no deformation can mend (a
/// predicted label's island, a structure contoured differently on the two scans) residuals are
/// tens of mm. Squared, they outweigh every organ's true disagreement and drag the whole
/// registration; a cap on the slope (Huber) was measured not to be enough. Tukey's weight falls to
/// zero beyond c, and c scales with the organ's own typical residual (median absolute value, a
/// statistic that ignores up to half of the band being wrong), so a large true deformation at the
/// start of a level still pulls while a minority of hopeless voxels does not.
///
/// Organs cut off by a scan's end: a label map closes such an organ at the cut, so near the cut
/// its distance map measures to the cut, not to the organ. A band voxel is left out where the
/// fixed map's |value| is not smaller than its distance to the fixed cut, and where the moving
/// map's |value| at x + u(x) is not smaller than the distance to the moving cut there, or where
/// x + u(x) lies beyond the moving scan (its map is only the border value continued). The moving
/// side is decided once per level from its starting field (like Tukey's c): a set that changed
/// with u would reward moving voxels out of it. Without this, a short moving scan dragged the
/// fixed organ's cut-off part (a femur, the body outline) onto the moving scan's end.
class LabelDistanceTerm final : public FieldTerm {
 public:
  /// `level_grid` is the grid of the u this term will see; the fixed maps are resampled to it.
  /// Along each axis only every k-th voxel of the band is used, k the nearest whole number to
  /// sample_spacing_mm / spacing (at least 1; 0 uses every voxel): about that spacing, whatever
  /// the level's.
  LabelDistanceTerm(std::shared_ptr<const std::vector<OrganDistanceMaps>> organs,
                    const Geometry& level_grid, double band_mm = 15.0,
                    double sample_spacing_mm = 0.0, LabelLoss loss = LabelLoss::kSquared);

  std::string name() const override { return "label distance"; }
  ObjectiveGroup group() const override { return ObjectiveGroup::kGuidance; }
  double evaluate(const DisplacementField& u, DisplacementField* gradient, double weight) override;

  /// The last evaluation's per-organ root mean square distance (mm, plain squares whatever the
  /// loss), in the order of the organs.
  const std::vector<double>& organ_rms_mm() const { return organ_rms_; }
  /// Per organ, the fraction of its band left out at the current level because the moving map is
  /// not believed there (beyond the moving scan, or measuring to a cut); empty before the first
  /// evaluation.
  const std::vector<double>& left_out_fraction() const { return left_out_; }
  /// Tukey's c per organ (mm), once the first evaluation has set it; empty for squares.
  const std::vector<double>& tukey_scale_mm() const { return tukey_scale_; }

 private:
  struct Band {
    std::vector<std::int64_t> voxels;  ///< linear indices on the level grid
    std::vector<float> fixed_distance;
    /// Where each band voxel itself lies in the moving map, as a continuous index: the sample
    /// point is then rest_index + (world to moving index) * u, with no per-evaluation index
    /// decoding (this term was a quarter of a guided registration's time before).
    std::vector<Vec3f> rest_index;
    Mat3 world_to_moving;  ///< of the organ's moving map
  };
  /// Band voxel b's residual D_moving(x + u(x)) - D_fixed(x) and its derivative along the moving
  /// map's index axes.
  double residual(const OrganDistanceMaps& organ, const Band& band, const DisplacementField& u,
                  std::size_t b, Vec3d& d_index) const;
  void set_tukey_scales(const DisplacementField& u);
  void set_trusted(const DisplacementField& u);
  /// Per organ and band voxel: whether the moving map is believed there (see the class comment).
  std::vector<std::vector<char>> trusted_;
  std::vector<double> left_out_;
  std::shared_ptr<const std::vector<OrganDistanceMaps>> organs_;
  Geometry grid_;
  LabelLoss loss_;
  std::vector<Band> bands_;
  std::vector<double> organ_rms_;
  std::vector<double> tukey_scale_;
};

}  // namespace modir::objective
