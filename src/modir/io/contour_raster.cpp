// Rasterisation of planar structure contours onto a voxel grid. Everything happens in the grid's
// continuous index space (i, j, k), so oblique grids need no special case: a contour plane is a
// plane of constant k, and a polygon is filled by a scanline pass over its rows of voxel centres.

#include "modir/io/contour_raster.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include "modir/core/error.h"
#include "modir/core/parallel.h"

namespace modir::io {

namespace {

// How far (in slices) the points of one contour may stray from a plane of constant k. DICOM
// decimal strings carry enough digits for this; a larger spread means a tilted contour.
constexpr double kPlaneTolerance = 1e-3;
// Contours whose planes are closer than this (in slices) belong to the same plane.
constexpr double kSamePlane = 1e-2;

struct Point2 {
  double x = 0, y = 0;  // continuous index i, j
};

using Polygon = std::vector<Point2>;

struct Plane {
  double k = 0;
  std::vector<Polygon> polygons;
  std::vector<bool> polygon_clipped;  // extends past the grid edge in-plane
  std::vector<bool> polygon_outside;  // lies entirely beside the grid in-plane
  bool used = false;                  // some slice takes its polygons
};

// One row segment of filled voxel centres: row j, columns [i0, i1].
struct Span {
  std::int64_t j, i0, i1;
};

struct PreparedStructure {
  const RtStructure* source = nullptr;
  int label = 0;
  std::vector<Plane> planes;     // sorted by k
  double contour_spacing = 1.0;  // slices between planes (median gap)
  double contour_volume_ml = 0.0;
  std::size_t skipped_open = 0;  // not CLOSED_PLANAR
  std::size_t degenerate = 0;    // fewer than 3 points
};

// How messages name the structure set: its file, or its label for one built in memory.
std::string describe(const RtStructureSet& set) {
  return set.file.empty() ? fmt::format("structure set '{}'", set.label)
                          : fmt::format("'{}'", set.file.string());
}

// ceil(v) clamped to [lo, hi], safe for values far outside the int64 range.
std::int64_t clamped_ceil(double v, std::int64_t lo, std::int64_t hi) {
  const double c = std::ceil(v);
  if (!(c > static_cast<double>(lo))) return lo;
  if (c >= static_cast<double>(hi)) return hi;
  return static_cast<std::int64_t>(c);
}

double signed_area(const Polygon& polygon) {
  double twice = 0.0;
  for (std::size_t n = 0, m = polygon.size() - 1; n < polygon.size(); m = n++) {
    twice += polygon[m].x * polygon[n].y - polygon[n].x * polygon[m].y;
  }
  return 0.5 * twice;
}

// Even-odd point-in-polygon test (crossing number), used only once per polygon for nesting depth.
bool contains(const Polygon& polygon, Point2 p) {
  bool inside = false;
  for (std::size_t n = 0, m = polygon.size() - 1; n < polygon.size(); m = n++) {
    const Point2 a = polygon[m], b = polygon[n];
    if ((a.y > p.y) != (b.y > p.y) && p.x < a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y)) {
      inside = !inside;
    }
  }
  return inside;
}

// Area of the even-odd region of a plane's polygons, in index units: a polygon nested inside an
// odd number of others is a hole and subtracts.
double even_odd_area(const std::vector<Polygon>& polygons) {
  double area = 0.0;
  for (std::size_t p = 0; p < polygons.size(); ++p) {
    int depth = 0;
    for (std::size_t q = 0; q < polygons.size(); ++q) {
      if (q != p && contains(polygons[q], polygons[p].front())) ++depth;
    }
    area += (depth % 2 == 0 ? 1.0 : -1.0) * std::abs(signed_area(polygons[p]));
  }
  return area;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : 0.5 * (values[mid - 1] + values[mid]);
}

// Maps a structure's closed contours into index space, checks they lie in slices, groups them by
// plane and measures the contour volume (independent of the grid's in-plane sampling).
PreparedStructure prepare(const RtStructure& structure, int label, const Geometry& grid,
                          const std::string& file) {
  PreparedStructure prepared;
  prepared.source = &structure;
  prepared.label = label;
  const Mat3 to_index = grid.index_to_world_matrix().inverse();
  const double ni = static_cast<double>(grid.size[0]), nj = static_cast<double>(grid.size[1]);

  struct Flat {
    double k;
    Polygon polygon;
  };
  std::vector<Flat> flats;
  for (const RtContour& contour : structure.contours) {
    if (contour.geometric_type != "CLOSED_PLANAR") {
      ++prepared.skipped_open;
      continue;
    }
    if (contour.points.size() < 3) {
      ++prepared.degenerate;
      continue;
    }
    Flat flat;
    flat.polygon.reserve(contour.points.size());
    double k_min = std::numeric_limits<double>::infinity(), k_max = -k_min, k_sum = 0.0;
    for (const Vec3d& point : contour.points) {
      const Vec3d index = to_index * (point - grid.origin);
      flat.polygon.push_back({index.x, index.y});
      k_min = std::min(k_min, index.z);
      k_max = std::max(k_max, index.z);
      k_sum += index.z;
    }
    flat.k = k_sum / static_cast<double>(contour.points.size());
    if (std::max(k_max - flat.k, flat.k - k_min) > kPlaneTolerance) {
      throw data_error(
          "{}: a contour of structure '{}' is not parallel to the image slices "
          "(its points span {:.3g} slices); pass the image series the structures "
          "were drawn on, or one with the same slice orientation",
          file, structure.name, k_max - k_min);
    }
    flats.push_back(std::move(flat));
  }
  std::stable_sort(flats.begin(), flats.end(),
                   [](const Flat& a, const Flat& b) { return a.k < b.k; });

  for (Flat& flat : flats) {
    if (prepared.planes.empty() || flat.k - prepared.planes.back().k > kSamePlane) {
      prepared.planes.push_back(Plane{flat.k, {}, {}, {}, false});
    }
    Plane& plane = prepared.planes.back();
    double x_min = std::numeric_limits<double>::infinity(), x_max = -x_min, y_min = x_min,
           y_max = -x_min;
    for (const Point2& p : flat.polygon) {
      x_min = std::min(x_min, p.x);
      x_max = std::max(x_max, p.x);
      y_min = std::min(y_min, p.y);
      y_max = std::max(y_max, p.y);
    }
    const bool outside = x_max < -0.5 || y_max < -0.5 || x_min > ni - 0.5 || y_min > nj - 0.5;
    const bool clipped = x_min < -0.5 || y_min < -0.5 || x_max > ni - 0.5 || y_max > nj - 0.5;
    plane.polygons.push_back(std::move(flat.polygon));
    plane.polygon_outside.push_back(outside);
    plane.polygon_clipped.push_back(clipped && !outside);
  }

  if (prepared.planes.size() >= 2) {
    std::vector<double> gaps;
    for (std::size_t p = 1; p < prepared.planes.size(); ++p) {
      gaps.push_back(prepared.planes[p].k - prepared.planes[p - 1].k);
    }
    prepared.contour_spacing = median(std::move(gaps));
  }
  // Planes are parallel to the slices and the direction is orthonormal, so index areas scale by
  // the in-plane spacings and index gaps by the slice spacing.
  const double slab_mm = prepared.contour_spacing * grid.spacing.z;
  double volume_mm3 = 0.0;
  for (const Plane& plane : prepared.planes) {
    volume_mm3 += even_odd_area(plane.polygons) * grid.spacing.x * grid.spacing.y * slab_mm;
  }
  prepared.contour_volume_ml = volume_mm3 / 1000.0;
  return prepared;
}

// For each slice of the grid, the plane whose polygons it takes (-1 for none): the nearest plane
// within half a contour spacing. A tie between two planes goes to the lower one.
std::vector<int> assign_slices(PreparedStructure& structure, std::int64_t slices) {
  std::vector<int> plane_of_slice(static_cast<std::size_t>(slices), -1);
  auto& planes = structure.planes;
  if (planes.empty()) return plane_of_slice;
  const double reach = 0.5 * structure.contour_spacing + 1e-9;
  for (std::int64_t z = 0; z < slices; ++z) {
    const double kz = static_cast<double>(z);
    const auto above = std::lower_bound(planes.begin(), planes.end(), kz,
                                        [](const Plane& p, double k) { return p.k < k; });
    int best = -1;
    double best_distance = std::numeric_limits<double>::infinity();
    if (above != planes.begin()) {
      best = static_cast<int>(above - planes.begin()) - 1;
      best_distance = kz - planes[static_cast<std::size_t>(best)].k;
    }
    if (above != planes.end() && above->k - kz < best_distance) {
      best = static_cast<int>(above - planes.begin());
      best_distance = above->k - kz;
    }
    if (best >= 0 && best_distance <= reach) {
      plane_of_slice[static_cast<std::size_t>(z)] = best;
      planes[static_cast<std::size_t>(best)].used = true;
    }
  }
  return plane_of_slice;
}

// Scanline fill of one plane's polygons by the even-odd rule. A voxel centre (i, j) is inside when
// an odd number of edges cross row j to its right-or-at; rows and columns are half-open
// (ylo <= j < yhi, x0 <= i < x1) so polygons sharing an edge never both take a voxel.
std::vector<Span> fill_spans(const std::vector<Polygon>& polygons, const Size3& size) {
  struct Edge {
    double y_lo, y_hi, x_at_lo, dx_dy;
  };
  std::vector<Edge> edges;
  for (const Polygon& polygon : polygons) {
    for (std::size_t n = 0, m = polygon.size() - 1; n < polygon.size(); m = n++) {
      Point2 a = polygon[m], b = polygon[n];
      if (a.y == b.y) continue;  // horizontal edges never cross a row transversally
      if (a.y > b.y) std::swap(a, b);
      edges.push_back({a.y, b.y, a.x, (b.x - a.x) / (b.y - a.y)});
    }
  }
  std::vector<Span> spans;
  if (edges.empty()) return spans;
  std::sort(edges.begin(), edges.end(),
            [](const Edge& a, const Edge& b) { return a.y_lo < b.y_lo; });

  const std::int64_t first_row = clamped_ceil(edges.front().y_lo, 0, size[1]);
  std::vector<const Edge*> active;
  std::vector<double> crossings;
  std::size_t next = 0;
  for (std::int64_t j = first_row; j < size[1]; ++j) {
    const double y = static_cast<double>(j);
    while (next < edges.size() && edges[next].y_lo <= y) active.push_back(&edges[next++]);
    std::erase_if(active, [y](const Edge* e) { return e->y_hi <= y; });
    if (active.empty()) {
      if (next == edges.size()) break;
      continue;
    }
    crossings.clear();
    for (const Edge* e : active) crossings.push_back(e->x_at_lo + (y - e->y_lo) * e->dx_dy);
    std::sort(crossings.begin(), crossings.end());
    for (std::size_t c = 0; c + 1 < crossings.size(); c += 2) {
      const std::int64_t i0 = clamped_ceil(crossings[c], 0, size[0]);
      const std::int64_t i1 = clamped_ceil(crossings[c + 1], 0, size[0]) - 1;
      if (i0 <= i1) spans.push_back({j, i0, i1});
    }
  }
  return spans;
}

// The structures chosen by name (all, in file order, when none are named).
std::vector<const RtStructure*> choose(const RtStructureSet& set,
                                       const std::vector<std::string>& names,
                                       std::vector<std::string>& warnings) {
  const std::string file = describe(set);
  std::vector<const RtStructure*> chosen;
  if (names.empty()) {
    for (const RtStructure& s : set.structures) chosen.push_back(&s);
    return chosen;
  }
  for (const std::string& name : names) {
    if (std::count(names.begin(), names.end(), name) > 1) {
      throw usage_error("structure '{}' is chosen twice; name each structure once", name);
    }
    std::vector<const RtStructure*> matches;
    for (const RtStructure& s : set.structures) {
      if (s.name == name) matches.push_back(&s);
    }
    if (matches.empty()) {
      std::string available;
      for (const RtStructure& s : set.structures) {
        available += (available.empty() ? "'" : ", '") + s.name + "'";
      }
      throw usage_error("{} has no structure named '{}'; the structures are: {}", file, name,
                        available.empty() ? std::string("(none)") : available);
    }
    if (matches.size() > 1) {
      warnings.push_back(fmt::format("{} structures are named '{}'; using ROI number {}",
                                     matches.size(), name, matches.front()->roi_number));
    }
    chosen.push_back(matches.front());
  }
  return chosen;
}

void report_contours(const PreparedStructure& s, std::int64_t slices,
                     std::vector<std::string>& warnings) {
  const std::string& name = s.source->name;
  if (s.skipped_open > 0) {
    warnings.push_back(
        fmt::format("'{}': skipped {} contour(s) that are not CLOSED_PLANAR "
                    "(points or open lines cannot be filled)",
                    name, s.skipped_open));
  }
  if (s.degenerate > 0) {
    warnings.push_back(
        fmt::format("'{}': skipped {} contour(s) with fewer than 3 points", name, s.degenerate));
  }
  std::size_t outside = 0, clipped = 0;
  for (const Plane& plane : s.planes) {
    const bool beyond_slices = plane.k < -0.5 || plane.k > static_cast<double>(slices) - 0.5;
    for (std::size_t p = 0; p < plane.polygons.size(); ++p) {
      if ((!plane.used && beyond_slices) || plane.polygon_outside[p]) {
        ++outside;
      } else if (plane.polygon_clipped[p]) {
        ++clipped;
      }
    }
  }
  if (outside > 0) {
    warnings.push_back(
        fmt::format("'{}': {} contour(s) lie outside the image grid and were left "
                    "out",
                    name, outside));
  }
  if (clipped > 0) {
    warnings.push_back(
        fmt::format("'{}': {} contour(s) extend past the edge of the image grid and "
                    "were clipped",
                    name, clipped));
  }
}

}  // namespace

RasterizedLabels rasterize_structures(const RtStructureSet& set,
                                      const std::vector<std::string>& names, const Geometry& grid) {
  const std::string file = describe(set);
  grid.validate(fmt::format("{}: the reference grid", file));
  RasterizedLabels result;
  const std::vector<const RtStructure*> chosen = choose(set, names, result.warnings);
  constexpr std::size_t kMaxLabels = std::numeric_limits<std::uint16_t>::max();
  if (chosen.size() > kMaxLabels) {
    throw data_error(
        "{}: {} structures do not fit a 16-bit label map (at most {}); choose the "
        "structures to rasterise by name",
        file, chosen.size(), kMaxLabels);
  }

  std::vector<PreparedStructure> prepared;
  prepared.reserve(chosen.size());
  for (std::size_t n = 0; n < chosen.size(); ++n) {
    prepared.push_back(prepare(*chosen[n], static_cast<int>(n + 1), grid, file));
  }

  // The smaller structure keeps a voxel where two overlap. Painting by decreasing contour volume
  // with overwriting gives that; painting by increasing volume without overwriting gives the
  // same map and lets each structure count its own lost voxels, so slices stay independent.
  std::vector<std::size_t> order(prepared.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return prepared[a].contour_volume_ml > prepared[b].contour_volume_ml;
  });

  result.labels = LabelMap(grid, 0);
  result.structures.resize(prepared.size());
  const std::int64_t slices = grid.size[2];
  const double voxel_ml = grid.voxel_ml();
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    PreparedStructure& s = prepared[*it];
    const std::vector<int> plane_of_slice = assign_slices(s, slices);
    std::vector<std::vector<Span>> spans(s.planes.size());
    parallel_for(static_cast<std::int64_t>(s.planes.size()), [&](std::int64_t p) {
      if (s.planes[static_cast<std::size_t>(p)].used) {
        spans[static_cast<std::size_t>(p)] =
            fill_spans(s.planes[static_cast<std::size_t>(p)].polygons, grid.size);
      }
    });
    std::vector<std::int64_t> painted(static_cast<std::size_t>(slices), 0);
    std::vector<std::int64_t> lost(static_cast<std::size_t>(slices), 0);
    const auto label = static_cast<std::uint16_t>(s.label);
    parallel_for_slices(slices, [&](std::int64_t z) {
      const int p = plane_of_slice[static_cast<std::size_t>(z)];
      if (p < 0) return;
      for (const Span& span : spans[static_cast<std::size_t>(p)]) {
        std::uint16_t* row = &result.labels(0, span.j, z);
        for (std::int64_t i = span.i0; i <= span.i1; ++i) {
          if (row[i] == 0) {
            row[i] = label;
            ++painted[static_cast<std::size_t>(z)];
          } else {
            ++lost[static_cast<std::size_t>(z)];
          }
        }
      }
    });

    RasterizedStructure& out = result.structures[*it];
    out.label = s.label;
    out.name = s.source->name;
    out.roi_number = s.source->roi_number;
    out.color = s.source->color;
    out.voxel_count = std::accumulate(painted.begin(), painted.end(), std::int64_t{0});
    out.volume_ml = static_cast<double>(out.voxel_count) * voxel_ml;
    out.contour_volume_ml = s.contour_volume_ml;
    out.overlap_voxels_lost = std::accumulate(lost.begin(), lost.end(), std::int64_t{0});
  }

  for (const PreparedStructure& s : prepared) {
    report_contours(s, slices, result.warnings);
    const RasterizedStructure& out = result.structures[static_cast<std::size_t>(s.label - 1)];
    if (out.voxel_count > 0) continue;
    if (s.source->contours.empty()) {
      result.warnings.push_back(
          fmt::format("label {} ('{}') is empty: the structure has no "
                      "contours",
                      s.label, s.source->name));
    } else if (out.overlap_voxels_lost > 0) {
      result.warnings.push_back(
          fmt::format("label {} ('{}') is empty: all its voxels belong to "
                      "smaller structures it overlaps",
                      s.label, s.source->name));
    } else {
      result.warnings.push_back(
          fmt::format("label {} ('{}') is empty: its contours cover no "
                      "voxel centre of the grid",
                      s.label, s.source->name));
    }
  }
  return result;
}

}  // namespace modir::io
