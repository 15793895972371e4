#pragma once

#include <vector>

#include "modir/optimize/pareto/dominance.h"

namespace modir::optimize::pareto {

/// modir reports hypervolume on normalised objectives (see normalise()) with this reference
/// value in every objective, so that the extreme points of a front still add volume and numbers
/// are comparable between runs of the same case.
inline constexpr double kReportReference = 1.1;

/// Componentwise minimum of the points (the ideal point when they form a front).
Point ideal_point(const std::vector<Point>& points);

/// Componentwise maximum of the points. Pass the non-dominated points to get the nadir point of
/// their front; dominated points would push it outward.
Point nadir_point(const std::vector<Point>& points);

/// Maps objective k of every point to (f_k - ideal_k) / (nadir_k - ideal_k), so the front between
/// ideal and nadir fills [0, 1]. An objective whose range is zero (or below 1e-12 of its
/// magnitude) does not separate the points and is only shifted: (f_k - ideal_k). Throws
/// std::invalid_argument when some nadir_k < ideal_k.
std::vector<Point> normalise(const std::vector<Point>& points, const Point& ideal,
                             const Point& nadir);

/// Volume of the union of the boxes [p, reference] over the points (Lebesgue measure of the
/// region they dominate, bounded by the reference). Exact for any dimension: a sweep in 2D and,
/// above, slicing along the last objective with the (d-1)-dimensional volume of each slice, so
/// O(n^(d-1) log n) for n front points: fronts of a few hundred points in 3D. A point that is not
/// strictly better than the reference in every objective contributes nothing; no points give 0.
double hypervolume(const std::vector<Point>& points, const Point& reference);

/// Exclusive contribution of each point: hypervolume(points) minus the hypervolume without that
/// point, i.e. the volume only it dominates. Dominated points and points outside the reference
/// get 0, and so does each copy of an exactly duplicated point (the other copy still covers it).
/// The contributions sum to at most the hypervolume. Costs n + 1 hypervolume computations.
std::vector<double> hypervolume_contributions(const std::vector<Point>& points,
                                              const Point& reference);

}  // namespace modir::optimize::pareto
