#include "modir/filter/connected_components.h"

#include <algorithm>

namespace modir::filter {

std::int64_t Components::largest() const {
  return sizes.empty() ? 0 : *std::max_element(sizes.begin(), sizes.end());
}

Components connected_components(const LabelMap& labels, std::uint16_t label) {
  const Size3 size = labels.size();
  const std::int64_t n = labels.voxel_count();
  const std::uint16_t* value = labels.data();
  Components out;
  out.index.assign(static_cast<std::size_t>(n), -1);
  std::vector<std::int64_t> stack;
  for (std::int64_t seed = 0; seed < n; ++seed) {
    if (value[seed] != label || out.index[static_cast<std::size_t>(seed)] >= 0) continue;
    const auto component = static_cast<std::int32_t>(out.sizes.size());
    std::int64_t count = 0;
    stack.assign(1, seed);
    out.index[static_cast<std::size_t>(seed)] = component;
    while (!stack.empty()) {
      const std::int64_t v = stack.back();
      stack.pop_back();
      ++count;
      const std::int64_t x = v % size[0], y = (v / size[0]) % size[1], z = v / (size[0] * size[1]);
      for (std::int64_t dz = -1; dz <= 1; ++dz) {
        const std::int64_t c = z + dz;
        if (c < 0 || c >= size[2]) continue;
        for (std::int64_t dy = -1; dy <= 1; ++dy) {
          const std::int64_t b = y + dy;
          if (b < 0 || b >= size[1]) continue;
          for (std::int64_t dx = -1; dx <= 1; ++dx) {
            const std::int64_t a = x + dx;
            if (a < 0 || a >= size[0]) continue;
            const std::int64_t u = a + size[0] * (b + size[1] * c);
            if (value[u] == label && out.index[static_cast<std::size_t>(u)] < 0) {
              out.index[static_cast<std::size_t>(u)] = component;
              stack.push_back(u);
            }
          }
        }
      }
    }
    out.sizes.push_back(count);
  }
  return out;
}

std::int64_t remove_small_components(LabelMap& labels, std::uint16_t label, double min_fraction,
                                     std::uint16_t fill) {
  const Components components = connected_components(labels, label);
  if (components.sizes.size() < 2) return 0;
  const double keep_from = min_fraction * static_cast<double>(components.largest());
  std::int64_t removed = 0;
  for (std::size_t v = 0; v < components.index.size(); ++v) {
    const std::int32_t c = components.index[v];
    if (c >= 0 && static_cast<double>(components.sizes[static_cast<std::size_t>(c)]) < keep_from) {
      labels.data()[v] = fill;
      ++removed;
    }
  }
  return removed;
}

}  // namespace modir::filter
