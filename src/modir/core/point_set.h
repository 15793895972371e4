#pragma once

#include <string>
#include <vector>

#include "modir/core/vec.h"

namespace modir {

/// One named point in world LPS millimetres.
struct Point {
  std::string id;
  Vec3d position;
};

/// Named points in world LPS mm, e.g. landmarks of one scan. Ids are unique within a set.
struct PointSet {
  std::vector<Point> points;

  std::size_t size() const { return points.size(); }
  bool empty() const { return points.empty(); }
  /// Index of the point with this id, or -1.
  std::ptrdiff_t find(const std::string& id) const;
};

/// Fixed and moving points that belong together, matched by id.
struct PointPairs {
  std::vector<std::string> ids;
  std::vector<Vec3d> fixed;
  std::vector<Vec3d> moving;
  /// How much each pair counts in guidance (a matcher's confidence); empty = every pair 1.
  std::vector<double> weights;
};

/// Pairs two sets by id. Throws a data error listing ids present in only one of the sets, since a
/// silently dropped landmark would bias every distance computed from the pairs.
PointPairs pair_by_id(const PointSet& fixed, const PointSet& moving);

}  // namespace modir
