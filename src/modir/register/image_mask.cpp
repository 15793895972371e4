#include "modir/register/image_mask.h"

#include <algorithm>

#include <fmt/format.h>

#include "modir/core/hounsfield.h"
#include "modir/filter/body_mask.h"

namespace modir::reg {

namespace {

double share_inside(const Image<std::uint8_t>& mask) {
  const auto& v = mask.buffer();
  if (v.empty()) return 0.0;
  return double(std::count_if(v.begin(), v.end(), [](std::uint8_t x) { return x != 0; })) /
         double(v.size());
}

}  // namespace

ImageTermMask image_term_mask(const RegistrationInputs& inputs, const ImageTermConfig& config) {
  ImageTermMask out;
  if (inputs.fixed_mask) {
    // Not copied: the registration holds its inputs for as long as it runs.
    out.mask =
        std::shared_ptr<const Image<std::uint8_t>>(std::shared_ptr<void>(), &*inputs.fixed_mask);
    out.source = "fixed_mask";
    out.share = share_inside(*inputs.fixed_mask);
    return out;
  }
  if (config.mask != "body" || inputs.fixed.buffer().empty()) return out;
  const auto [lo, hi] =
      std::minmax_element(inputs.fixed.buffer().begin(), inputs.fixed.buffer().end());
  if (!looks_like_ct_in_hu(*lo, *hi)) {
    out.note = fmt::format(
        "image.mask \"body\" needs a fixed CT in HU; the fixed scan's intensities span {:g} .. "
        "{:g}, so every voxel counts",
        *lo, *hi);
    return out;
  }
  auto body = std::make_shared<Image<std::uint8_t>>(filter::body_mask_from_ct(inputs.fixed));
  const double share = share_inside(*body);
  if (share == 0.0) {
    out.note =
        "image.mask \"body\": no patient outline was found on the fixed scan, so every "
        "voxel counts";
    return out;
  }
  out.mask = std::move(body);
  out.source = "body_outline";
  out.share = share;
  return out;
}

}  // namespace modir::reg
