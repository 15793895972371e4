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
  double total = 0.0;
  for (std::size_t c = 0; c < fixed_.size(); ++c) {
    transform::warp_linear(moving_[c], u, warped_, gradient ? &moving_gradient_ : nullptr,
                           &inside_);
    // Only voxels that land inside the moving scan (and inside the fixed mask) compare.
    if (!effective_mask_.geometry().same_grid(u.geometry(), 0.0))
      effective_mask_ = Mask(u.geometry());
    const std::int64_t n = u.voxel_count();
    const std::uint8_t* fixed_mask = mask_ ? mask_->data() : nullptr;
    for (std::int64_t i = 0; i < n; ++i)
      effective_mask_.data()[i] = inside_.data()[i] && (!fixed_mask || fixed_mask[i]) ? 1 : 0;
    total += similarity_->evaluate(fixed_[c], warped_, &effective_mask_,
                                   gradient ? &dE_dwarped_ : nullptr);
    if (gradient) {
      const float w = static_cast<float>(channel_weight);
      Vec3f* g = gradient->data();
      const float* d = dE_dwarped_.data();
      const Vec3f* mg = moving_gradient_.data();
      parallel_for(n, [&](std::int64_t i) { g[i] += mg[i] * (w * d[i]); });
    }
  }
  return total / static_cast<double>(fixed_.size());
}

}  // namespace modir::objective
