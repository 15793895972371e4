#include "modir/optimize/pareto/hypervolume.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace modir::optimize::pareto {
namespace {

void require_dimension(const std::vector<Point>& points, std::size_t d, const char* what) {
  if (d == 0) throw std::invalid_argument(std::string("pareto: ") + what + " without objectives");
  for (const Point& p : points) {
    if (p.size() != d) {
      throw std::invalid_argument(std::string("pareto: ") + what + ": a point has " +
                                  std::to_string(p.size()) + " objectives, expected " +
                                  std::to_string(d));
    }
  }
}

bool strictly_inside(const Point& p, const Point& reference) {
  for (std::size_t k = 0; k < p.size(); ++k) {
    if (!(p[k] < reference[k])) return false;
  }
  return true;
}

// Order of slicing: by objective `last`, ties by the objectives below it, so that equal points
// sit together and the result does not depend on the order the points came in.
bool slices_before(const Point& a, const Point& b, std::size_t last) {
  for (std::size_t k = last + 1; k-- > 0;) {
    if (a[k] != b[k]) return a[k] < b[k];
  }
  return false;
}

// Volume dominated by `points` within `reference`, counting only their first `d` objectives.
// All points are strictly inside the reference. Slices along objective d-1: between consecutive
// values of it, the dominated cross-section is the (d-1)-volume of the points already passed.
double sliced_volume(std::vector<const Point*> points, const Point& reference, std::size_t d) {
  if (points.empty()) return 0.0;
  if (d == 1) {
    double lowest = reference[0];
    for (const Point* p : points) lowest = std::min(lowest, (*p)[0]);
    return reference[0] - lowest;
  }
  const std::size_t last = d - 1;
  std::sort(points.begin(), points.end(),
            [last](const Point* a, const Point* b) { return slices_before(*a, *b, last); });
  if (d == 2) {  // staircase sweep up objective 1: each point moving the stair left adds a strip
    double area = 0.0;
    double stair = reference[0];
    for (const Point* p : points) {
      if ((*p)[0] < stair) {
        area += (stair - (*p)[0]) * (reference[1] - (*p)[1]);
        stair = (*p)[0];
      }
    }
    return area;
  }
  double volume = 0.0;
  std::vector<const Point*> passed;
  for (std::size_t i = 0; i < points.size(); ++i) {
    passed.push_back(points[i]);
    const double top = i + 1 < points.size() ? (*points[i + 1])[last] : reference[last];
    const double thickness = top - (*points[i])[last];
    if (thickness > 0.0) volume += thickness * sliced_volume(passed, reference, d - 1);
  }
  return volume;
}

}  // namespace

Point ideal_point(const std::vector<Point>& points) {
  if (points.empty()) throw std::invalid_argument("pareto: the ideal point of no points");
  require_dimension(points, points.front().size(), "ideal point");
  Point ideal = points.front();
  for (const Point& p : points) {
    for (std::size_t k = 0; k < p.size(); ++k) ideal[k] = std::min(ideal[k], p[k]);
  }
  return ideal;
}

Point nadir_point(const std::vector<Point>& points) {
  if (points.empty()) throw std::invalid_argument("pareto: the nadir point of no points");
  require_dimension(points, points.front().size(), "nadir point");
  Point nadir = points.front();
  for (const Point& p : points) {
    for (std::size_t k = 0; k < p.size(); ++k) nadir[k] = std::max(nadir[k], p[k]);
  }
  return nadir;
}

std::vector<Point> normalise(const std::vector<Point>& points, const Point& ideal,
                             const Point& nadir) {
  require_dimension(points, ideal.size(), "normalise");
  require_dimension({nadir}, ideal.size(), "normalise (nadir)");
  Point range(ideal.size());
  for (std::size_t k = 0; k < ideal.size(); ++k) {
    range[k] = nadir[k] - ideal[k];
    if (range[k] < 0.0) {
      throw std::invalid_argument("pareto: normalise: nadir below ideal in objective " +
                                  std::to_string(k));
    }
    const double magnitude = std::max(std::abs(ideal[k]), std::abs(nadir[k]));
    if (range[k] <= 1e-12 * magnitude) range[k] = 1.0;  // no spread to normalise by
  }
  std::vector<Point> normalised = points;
  for (Point& p : normalised) {
    for (std::size_t k = 0; k < p.size(); ++k) p[k] = (p[k] - ideal[k]) / range[k];
  }
  return normalised;
}

double hypervolume(const std::vector<Point>& points, const Point& reference) {
  require_dimension(points, reference.size(), "hypervolume");
  // Only the non-dominated points inside the reference matter; dropping the rest first also makes
  // the result independent of them to the last bit, which hypervolume_contributions relies on.
  std::vector<Point> inside;
  for (const Point& p : points) {
    if (strictly_inside(p, reference)) inside.push_back(p);
  }
  std::vector<const Point*> front;
  for (std::size_t i : non_dominated_indices(inside)) front.push_back(&inside[i]);
  return sliced_volume(std::move(front), reference, reference.size());
}

std::vector<double> hypervolume_contributions(const std::vector<Point>& points,
                                              const Point& reference) {
  const double total = hypervolume(points, reference);
  std::vector<double> contributions(points.size(), 0.0);
  std::vector<bool> on_front(points.size(), false);
  for (std::size_t i : non_dominated_indices(points)) on_front[i] = true;
  std::vector<Point> others;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (!on_front[i] || !strictly_inside(points[i], reference)) continue;
    others.assign(points.begin(), points.end());
    others.erase(others.begin() + static_cast<std::ptrdiff_t>(i));
    contributions[i] = std::max(0.0, total - hypervolume(others, reference));
  }
  return contributions;
}

}  // namespace modir::optimize::pareto
