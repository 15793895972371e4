#pragma once

#include <cstddef>
#include <vector>

/// Pareto fronts of registration objectives (image similarity, guidance, deformation), all
/// minimised. Points are plain vectors of objective values; every function accepts any number of
/// objectives >= 1 and throws std::invalid_argument when the points' dimensions disagree.
namespace modir::optimize::pareto {

/// The objective values of one solution; smaller is better in every entry.
using Point = std::vector<double>;

/// True when a is no worse than b in every objective and strictly better in at least one.
/// Equal points do not dominate each other.
bool dominates(const Point& a, const Point& b);

/// Indices, ascending, of the points no other point dominates. Of exact duplicates only the
/// first is kept, so the result holds each distinct front point once.
std::vector<std::size_t> non_dominated_indices(const std::vector<Point>& points);

/// The knee of a front given in normalised objectives (see normalise() in hypervolume.h), i.e.
/// the point offering the best balance of objectives. Definition: take the extreme points (for
/// each objective the point minimising it, ties broken by the smaller sum of objectives) and the
/// hyperplane through them (in 2D, the line through the two ends of the front); the knee is the
/// point lying furthest from that hyperplane on the side of the ideal point (the origin), ties
/// going to the first index. When that is undefined (the extremes do not span a hyperplane, e.g.
/// one point is best in every objective) or no point lies further than 1e-12 from it on the ideal
/// side (a linear or concave front), the knee is the point closest to the ideal point in Euclidean
/// distance. Throws std::invalid_argument for an empty set.
std::size_t knee_index(const std::vector<Point>& points);

}  // namespace modir::optimize::pareto
