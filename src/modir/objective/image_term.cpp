#include "modir/objective/image_term.h"

#include <fmt/format.h>

#include "modir/core/error.h"
#include "modir/core/parallel.h"
#include "modir/transform/warp.h"

namespace modir::objective {

ImageTerm::ImageTerm(std::vector<Image<float>> fixed_channels,
                     std::vector<Image<float>> moving_channels,
                     std::unique_ptr<Similarity> similarity, std::optional<Mask> fixed_mask)
    : fixed_(std::move(fixed_channels)),
      moving_(std::move(moving_channels)),
      similarity_(std::move(similarity)),
      mask_(std::move(fixed_mask)) {
  if (fixed_.empty() || fixed_.size() != moving_.size()) {
    throw Error(ErrorKind::kData, "image term: fixed and moving need the same number of channels");
  }
  if (mask_ && !mask_->geometry().same_grid(fixed_.front().geometry())) {
    throw Error(ErrorKind::kData, "image term: the fixed mask is not on the fixed image's grid");
  }
}

std::string ImageTerm::name() const {
  return fixed_.size() == 1 ? similarity_->name()
                            : fmt::format("{} on {} channels", similarity_->name(), fixed_.size());
}

double ImageTerm::evaluate(const DisplacementField& u, DisplacementField* gradient, double weight) {
  const double channel_weight = weight / static_cast<double>(fixed_.size());
  const std::uint8_t* fixed_mask = mask_ ? mask_->data() : nullptr;
  double total = 0.0;
  for (std::size_t c = 0; c < fixed_.size(); ++c) {
    transform::warp_linear(moving_[c], u, warped_, gradient ? &moving_gradient_ : nullptr,
                           overlap_);
    const VoxelWeights* weights = &overlap_.weight;
    if (fixed_mask) {
      if (!weights_.geometry().same_grid(u.geometry(), 0.0)) weights_ = VoxelWeights(u.geometry());
      const float* overlap = overlap_.weight.data();
      float* q = weights_.data();
      const std::int64_t plane = u.size()[0] * u.size()[1];
      parallel_for_slices(u.size()[2], [&](std::int64_t z) {
        for (std::int64_t i = z * plane; i < (z + 1) * plane; ++i)
          q[i] = fixed_mask[i] ? overlap[i] : 0.0f;
      });
      weights = &weights_;
    }
    // dE/dq is only needed where the weights move with u.
    const bool weights_move = gradient && !overlap_.ramp_voxels.empty();
    total += similarity_->evaluate(fixed_[c], warped_, weights, gradient ? &dE_dwarped_ : nullptr,
                                   weights_move ? &dE_dweight_ : nullptr);
    if (gradient) {
      const float w = static_cast<float>(channel_weight);
      Vec3f* g = gradient->data();
      const float* d = dE_dwarped_.data();
      const Vec3f* mg = moving_gradient_.data();
      parallel_for(u.voxel_count(), [&](std::int64_t i) { g[i] += mg[i] * (w * d[i]); });
      if (weights_move) {
        const float* dq = dE_dweight_.data();
        for (std::size_t k = 0; k < overlap_.ramp_voxels.size(); ++k) {
          const std::int64_t i = overlap_.ramp_voxels[k];
          if (fixed_mask && !fixed_mask[i]) continue;
          g[i] += overlap_.ramp_gradient[k] * (w * dq[i]);
        }
      }
    }
  }
  return total / static_cast<double>(fixed_.size());
}

}  // namespace modir::objective
