#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "modir/objective/similarity/similarity.h"
#include "modir/objective/term.h"
#include "modir/transform/warp.h"

namespace modir::objective {

/// An image term: warps one or more moving channels with u and compares them with the fixed
/// channels on the fixed grid. One channel is the intensity itself; MIND-SSC gives twelve
/// descriptor channels compared by SSD. The gradient with respect to u is
/// dE/dwarped * grad(moving)(x + u), per channel, averaged over channels.
///
/// Voxels outside the optional fixed mask do not count, nor do voxels whose x + u(x) falls outside
/// the moving image: each voxel counts with its overlap weight (transform::OverlapWeights), which
/// falls from 1 to 0 over the half voxel at the moving scan's edge. The term is thus continuous in
/// u, and its gradient includes how the weights move: dE/dq * dq/du at those edge voxels.
class ImageTerm final : public FieldTerm {
 public:
  ImageTerm(std::vector<Image<float>> fixed_channels, std::vector<Image<float>> moving_channels,
            std::unique_ptr<Similarity> similarity, std::optional<Mask> fixed_mask = {});

  std::string name() const override;
  ObjectiveGroup group() const override { return ObjectiveGroup::kImage; }
  double evaluate(const DisplacementField& u, DisplacementField* gradient, double weight) override;

 private:
  std::vector<Image<float>> fixed_;
  std::vector<Image<float>> moving_;
  std::unique_ptr<Similarity> similarity_;
  std::optional<Mask> mask_;
  // Scratch buffers reused between evaluations (no allocation per iteration).
  Image<float> warped_;
  DisplacementField moving_gradient_;
  transform::OverlapWeights overlap_;
  VoxelWeights weights_;
  Image<float> dE_dweight_;
  Image<float> dE_dwarped_;
};

}  // namespace modir::objective
