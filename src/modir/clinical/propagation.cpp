#include "modir/clinical/propagation.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "modir/core/error.h"
#include "modir/transform/warp.h"

namespace modir::clinical {

PropagationResult propagate(const PropagationInputs& inputs, const reg::RegistrationConfig& config,
                            const io::OrganNameTable& names, const reg::LevelCallback& on_level,
                            const Registrar& registrar) {
  if (inputs.structures.size() != inputs.planning_masks.size()) {
    throw std::logic_error("propagate: one mask per structure");
  }
  if (inputs.structures.empty()) throw data_error("no structures to propagate");
  const Geometry& pg = inputs.planning.geometry();
  PropagationResult result;

  // Which daily label value each organ class has.
  std::map<std::string, std::uint16_t> daily_value;
  if (inputs.daily_labels) {
    std::vector<char> present(65536, 0);
    for (const std::uint16_t v : inputs.daily_labels->buffer()) present[v] = 1;
    for (std::size_t v = 1; v < inputs.daily_label_classes.size(); ++v)
      if (!inputs.daily_label_classes[v].empty() && present[v])
        daily_value[inputs.daily_label_classes[v]] = static_cast<std::uint16_t>(v);
  }

  // The planning organ map: the guiding structures' masks, larger structures painted first so
  // that an organ inside another (bladder inside body) keeps its voxels.
  LabelMap planning_labels(pg, 0);
  std::vector<std::size_t> order(inputs.structures.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::vector<std::int64_t> voxels(order.size(), 0);
  for (std::size_t k = 0; k < order.size(); ++k) {
    const Image<std::uint8_t>& m = inputs.planning_masks[k];
    if (!m.geometry().same_grid(pg, 1e-6))
      throw std::logic_error("propagate: a structure mask is not on the planning grid");
    voxels[k] =
        std::count_if(m.buffer().begin(), m.buffer().end(), [](std::uint8_t v) { return v != 0; });
  }
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return voxels[a] > voxels[b]; });
  result.structures.resize(inputs.structures.size());
  std::set<std::string> guiding;
  for (const std::size_t k : order) {
    PropagatedStructure& out = result.structures[k];
    out.structure = inputs.structures[k];
    out.structure.contours.clear();
    out.planning_ml = double(voxels[k]) * pg.voxel_ml();
    const io::OrganNameMatch match = io::match_organ_name(out.structure.name, names);
    out.organ_class = match.organ_class;
    if (!match.organ_class) {
      out.why = "not an organ the registration knows: " + match.reason;
      continue;
    }
    if (voxels[k] == 0) {
      out.why = "empty on the planning scan";
      continue;
    }
    const auto unreliable = inputs.unreliable_classes.find(*match.organ_class);
    if (unreliable != inputs.unreliable_classes.end()) {
      out.why = fmt::format("{}: the daily scan's label failed QC ({})", *match.organ_class,
                            unreliable->second);
      continue;
    }
    const auto value = daily_value.find(*match.organ_class);
    if (value == daily_value.end()) {
      out.why = inputs.daily_labels
                    ? fmt::format("{}: not found on the daily scan's labels", *match.organ_class)
                    : "no organ labels on the daily scan";
      continue;
    }
    out.guided = true;
    out.why = fmt::format("guides as {} ({})", *match.organ_class, match.reason);
    guiding.insert(*match.organ_class);
    const std::uint8_t* m = inputs.planning_masks[k].data();
    for (std::int64_t v = 0; v < planning_labels.voxel_count(); ++v)
      if (m[v]) planning_labels.data()[v] = value->second;
  }
  result.guiding_classes.assign(guiding.begin(), guiding.end());

  reg::RegistrationInputs reg_inputs;
  reg_inputs.fixed = inputs.daily;
  reg_inputs.moving = inputs.planning;
  if (!guiding.empty()) {
    // Daily labels of classes without a planning counterpart would pull nothing: drop them.
    LabelMap daily = *inputs.daily_labels;
    std::vector<char> keep(65536, 0);
    for (const std::string& c : guiding) keep[daily_value.at(c)] = 1;
    for (std::uint16_t& v : daily.buffer())
      if (!keep[v]) v = 0;
    reg_inputs.fixed_labels = std::move(daily);
    reg_inputs.moving_labels = std::move(planning_labels);
  }
  result.registration =
      registrar ? registrar(reg_inputs) : reg::register_images(reg_inputs, config, on_level);
  result.displacement = reg::displacement_on(result.registration, inputs.daily.geometry());

  const double daily_voxel_ml = inputs.daily.geometry().voxel_ml();
  Image<float> mask(pg, 0.0f), warped;  // reused: one structure's float copies at a time
  Image<std::uint8_t> covered;
  for (std::size_t k = 0; k < inputs.structures.size(); ++k) {
    const std::uint8_t* m = inputs.planning_masks[k].data();
    for (std::int64_t v = 0; v < mask.voxel_count(); ++v) mask.data()[v] = m[v] ? 1.0f : 0.0f;
    transform::warp_linear(mask, result.displacement, warped, nullptr, &covered);
    // Where x + u(x) leaves the planning scan, the structure is unknown: the interpolant would
    // only repeat the planning scan's last slice. Nothing is drawn there, and it is reported.
    PropagatedStructure& out = result.structures[k];
    out.fraction = Image<std::uint8_t>(warped.geometry(), 0);
    std::int64_t inside = 0, beyond = 0;
    const float* f = warped.data();
    std::uint8_t* q = out.fraction.data();
    for (std::int64_t v = 0; v < warped.voxel_count(); ++v) {
      if (!covered.data()[v]) {
        beyond += f[v] >= 0.5f;
        continue;
      }
      inside += f[v] >= 0.5f;
      q[v] = static_cast<std::uint8_t>(std::lround(std::clamp(f[v], 0.0f, 1.0f) * 255.0f));
    }
    out.daily_ml = double(inside) * daily_voxel_ml;
    out.beyond_planning_ml = double(beyond) * daily_voxel_ml;
  }
  return result;
}

LabelMap propagated_label_map(const PropagationResult& result) {
  if (result.structures.empty()) return LabelMap();
  LabelMap labels(result.structures.front().fraction.geometry(), 0);
  std::vector<std::size_t> order(result.structures.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return result.structures[a].daily_ml > result.structures[b].daily_ml;
  });
  for (const std::size_t k : order) {
    const std::uint8_t* f = result.structures[k].fraction.data();
    for (std::int64_t v = 0; v < labels.voxel_count(); ++v)
      if (f[v] >= kInsideFraction) labels.data()[v] = static_cast<std::uint16_t>(k + 1);
  }
  return labels;
}

}  // namespace modir::clinical
