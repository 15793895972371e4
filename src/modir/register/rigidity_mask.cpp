#include "modir/register/rigidity_mask.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "modir/core/error.h"
#include "modir/core/hounsfield.h"
#include "modir/filter/connected_components.h"

namespace modir::reg {

namespace {

std::optional<RigidityMask> from_labels(const LabelMap& labels, const std::vector<int>& wanted) {
  std::vector<char> rigid(65536, 0);
  for (const int l : wanted) rigid[static_cast<std::size_t>(l)] = 1;
  RigidityMask out{objective::Mask(labels.geometry(), 0), "", false, 0.0, 0, 0.0, ""};
  std::int64_t count = 0;
  for (std::size_t v = 0; v < labels.buffer().size(); ++v) {
    if (rigid[labels.buffer()[v]]) {
      out.mask.buffer()[v] = 1;
      ++count;
    }
  }
  if (count == 0) return std::nullopt;
  out.source = fmt::format("labels {}", fmt::join(wanted, ", "));
  out.drawn = true;
  out.volume_ml = double(count) * labels.geometry().voxel_ml();
  LabelMap as_labels(labels.geometry(), 0);
  std::copy(out.mask.buffer().begin(), out.mask.buffer().end(), as_labels.buffer().begin());
  out.pieces = static_cast<std::int64_t>(filter::connected_components(as_labels, 1).sizes.size());
  return out;
}

// Why an intensity mask cannot be had, or "" when it can.
std::string no_hu_reason(const Image<float>& fixed) {
  const auto [lo, hi] = std::minmax_element(fixed.buffer().begin(), fixed.buffer().end());
  // HU scans hold air near -1000; a scan without it (MR, a normalised CT) has no HU to threshold.
  if (*lo > kAirBelowHu) {
    return fmt::format(
        "the fixed scan's intensities ({:g} .. {:g}) do not look like CT in HU, so "
        "rigidity.hu_threshold cannot find bone",
        *lo, *hi);
  }
  return "";
}

RigidityMask from_intensity(const Image<float>& fixed, const RigidityConfig& config) {
  const Geometry& g = fixed.geometry();
  LabelMap above(g, 0);
  const float threshold = static_cast<float>(config.hu_threshold);
  for (std::size_t v = 0; v < above.buffer().size(); ++v)
    above.buffer()[v] = fixed.buffer()[v] > threshold ? 1 : 0;
  const filter::Components pieces = filter::connected_components(above, 1);
  const double ml = g.voxel_ml();
  RigidityMask out{
      objective::Mask(g, 0), fmt::format("HU > {:g}", config.hu_threshold), false, 0.0, 0, 0.0, ""};
  std::vector<char> keep(pieces.sizes.size(), 0);
  for (std::size_t c = 0; c < keep.size(); ++c) {
    keep[c] = double(pieces.sizes[c]) * ml >= config.min_component_ml;
    if (keep[c]) {
      ++out.pieces;
      out.volume_ml += double(pieces.sizes[c]) * ml;
    } else {
      out.left_out_ml += double(pieces.sizes[c]) * ml;
    }
  }
  for (std::size_t v = 0; v < pieces.index.size(); ++v) {
    const std::int32_t c = pieces.index[v];
    if (c >= 0 && keep[static_cast<std::size_t>(c)]) out.mask.buffer()[v] = 1;
  }
  return out;
}

}  // namespace

std::optional<RigidityMask> rigidity_mask(const RegistrationInputs& inputs,
                                          const RigidityConfig& config) {
  if (config.weight <= 0.0) return std::nullopt;
  if (inputs.rigidity_mask) {
    RigidityMask given{*inputs.rigidity_mask, "file", true, 0.0, 0, 0.0, ""};
    if (!given.mask.geometry().same_grid(inputs.fixed.geometry())) {
      throw data_error("the rigidity mask is not on the grid of the fixed image");
    }
    LabelMap as_labels(given.mask.geometry(), 0);
    std::int64_t count = 0;
    for (std::size_t v = 0; v < as_labels.buffer().size(); ++v) {
      as_labels.buffer()[v] = given.mask.buffer()[v] != 0;
      count += given.mask.buffer()[v] != 0;
    }
    if (count == 0) throw data_error("the rigidity mask is empty");
    given.volume_ml = double(count) * given.mask.geometry().voxel_ml();
    given.pieces =
        static_cast<std::int64_t>(filter::connected_components(as_labels, 1).sizes.size());
    return given;
  }
  if (config.mask != "intensity") {
    if (inputs.fixed_labels) {
      if (auto from = from_labels(*inputs.fixed_labels, config.labels)) return from;
    }
    if (config.mask == "labels") {
      throw data_error("rigidity.mask 'labels': {} (rigidity.labels: {})",
                       inputs.fixed_labels ? "the fixed labels hold none of the rigid labels"
                                           : "no fixed labels were given",
                       fmt::join(config.labels, ", "));
    }
  }
  const bool strict = config.mask == "intensity";
  const std::string advice =
      "give fixed labels with bone or --rigidity-mask, or set rigidity.weight 0";
  if (const std::string why = no_hu_reason(inputs.fixed); !why.empty()) {
    if (strict) throw data_error("rigidity: {}; {}", why, advice);
    RigidityMask none;
    none.skipped = why;
    return none;
  }
  RigidityMask mask = from_intensity(inputs.fixed, config);
  if (mask.pieces == 0) {
    const std::string why =
        fmt::format("no bone found on the fixed scan (no piece of at least {:g} ml above {:g} HU)",
                    config.min_component_ml, config.hu_threshold);
    if (strict) throw data_error("rigidity: {}; {}", why, advice);
    mask.skipped = why;
  }
  return mask;
}

}  // namespace modir::reg
