#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "modir/objective/similarity/similarity.h"
#include "modir/objective/term.h"

namespace modir::objective {

/// An image term: warps one or more moving channels with u and compares them with the fixed
/// channels on the fixed grid. One channel is the intensity itself; MIND-SSC gives twelve
/// descriptor channels compared by SSD. The gradient with respect to u is
/// dE/dwarped * grad(moving)(x + u), per channel, averaged over channels.
///
/// Voxels whose x + u(x) falls outside the moving image, and voxels outside the optional fixed
/// mask, do not count.
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
  Image<std::uint8_t> inside_;
  Mask effective_mask_;
  Image<float> dE_dwarped_;
};

}  // namespace modir::objective
