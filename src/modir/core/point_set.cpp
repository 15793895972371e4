#include "modir/core/point_set.h"

#include <unordered_map>

#include "modir/core/error.h"

namespace modir {

std::ptrdiff_t PointSet::find(const std::string& id) const {
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (points[i].id == id) return static_cast<std::ptrdiff_t>(i);
  }
  return -1;
}

PointPairs pair_by_id(const PointSet& fixed, const PointSet& moving) {
  std::unordered_map<std::string, std::size_t> moving_index;
  for (std::size_t i = 0; i < moving.points.size(); ++i) moving_index[moving.points[i].id] = i;

  PointPairs pairs;
  std::vector<std::string> only_fixed;
  for (const Point& p : fixed.points) {
    auto it = moving_index.find(p.id);
    if (it == moving_index.end()) {
      only_fixed.push_back(p.id);
      continue;
    }
    pairs.ids.push_back(p.id);
    pairs.fixed.push_back(p.position);
    pairs.moving.push_back(moving.points[it->second].position);
    moving_index.erase(it);
  }
  if (!only_fixed.empty() || !moving_index.empty()) {
    std::string example = !only_fixed.empty() ? only_fixed.front() : moving_index.begin()->first;
    throw data_error(
        "landmark sets do not pair: {} id(s) only in the fixed set and {} only in the moving set "
        "(e.g. '{}'); give both files the same ids",
        only_fixed.size(), moving_index.size(), example);
  }
  return pairs;
}

}  // namespace modir
