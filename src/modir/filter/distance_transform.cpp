#include "modir/filter/distance_transform.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "modir/core/error.h"
#include "modir/core/parallel.h"

namespace modir::filter {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Buffers of one line, reused for every line a thread handles.
struct LineScratch {
  std::vector<double> weight;         // f(q): squared distance carried in from earlier axes
  std::vector<double> site_position;  // mm along the line of each parabola of the envelope
  std::vector<double> site_weight;
  std::vector<double> starts_at;  // where each envelope parabola becomes the lowest
  std::vector<double> result;
};

// One-dimensional squared distance transform (Felzenszwalb & Huttenlocher, "Distance transforms of
// sampled functions", 2012): result[i] = min_q ((i - (q + offset)) * spacing)^2 + weight[q] for
// the `count` query points i * spacing. Sites sit at (q + offset) * spacing, so faces between
// voxels (offset -1/2) work like voxel centres (offset 0). Sites of infinite weight take no part;
// with none left every result is infinite.
void lower_envelope(LineScratch& s, double offset, double spacing, std::int64_t count) {
  const std::size_t sites = s.weight.size();
  s.site_position.resize(sites);
  s.site_weight.resize(sites);
  s.starts_at.resize(sites + 1);
  std::size_t k = 0;  // parabolas in the envelope
  for (std::size_t q = 0; q < sites; ++q) {
    const double fq = s.weight[q];
    if (std::isinf(fq)) continue;
    const double pq = (static_cast<double>(q) + offset) * spacing;
    double meets = -kInfinity;
    // Drop envelope parabolas that the new one undercuts from where they start being lowest.
    while (k > 0) {
      const double pr = s.site_position[k - 1];
      const double fr = s.site_weight[k - 1];
      meets = ((fq + pq * pq) - (fr + pr * pr)) / (2.0 * (pq - pr));
      if (meets > s.starts_at[k - 1]) break;
      --k;
      meets = -kInfinity;
    }
    s.site_position[k] = pq;
    s.site_weight[k] = fq;
    s.starts_at[k] = meets;
    ++k;
  }
  s.result.assign(static_cast<std::size_t>(count), kInfinity);
  if (k == 0) return;
  s.starts_at[k] = kInfinity;
  std::size_t j = 0;
  for (std::int64_t i = 0; i < count; ++i) {
    const double x = static_cast<double>(i) * spacing;
    while (s.starts_at[j + 1] < x) ++j;
    const double d = x - s.site_position[j];
    s.result[static_cast<std::size_t>(i)] = d * d + s.site_weight[j];
  }
}

// lower_envelope for sites that all weigh 0 (s.weight[t] is 0 at a face, infinite elsewhere; face
// t at (t - 1/2) * spacing): the lowest parabola is simply the nearest face, found by one sweep
// from each end, with the envelope's arithmetic (so the same values) at a fraction of its cost.
void nearest_face_on_line(LineScratch& s, double spacing, std::int64_t count) {
  s.result.assign(static_cast<std::size_t>(count), kInfinity);
  const auto squared_to = [spacing](std::int64_t i, std::int64_t face) {
    const double d = static_cast<double>(i) * spacing - (static_cast<double>(face) - 0.5) * spacing;
    return d * d;
  };
  std::int64_t before = -1;  // the nearest face at or before voxel i (face t <= i)
  for (std::int64_t i = 0; i < count; ++i) {
    if (s.weight[static_cast<std::size_t>(i)] == 0.0) before = i;
    if (before >= 0) s.result[static_cast<std::size_t>(i)] = squared_to(i, before);
  }
  std::int64_t after = -1;  // the nearest face after voxel i (face t >= i + 1)
  for (std::int64_t i = count - 1; i >= 0; --i) {
    if (s.weight[static_cast<std::size_t>(i + 1)] == 0.0) after = i + 1;
    if (after >= 0) {
      double& r = s.result[static_cast<std::size_t>(i)];
      r = std::min(r, squared_to(i, after));
    }
  }
}

// Calls line(start, stride, scratch) for every grid line along `axis`, in parallel. The parallel
// index is an axis other than `axis`, so threads never share a line.
template <typename Line>
void for_each_line(const Size3& n, int axis, Line&& line) {
  const std::int64_t stride[3] = {1, n[0], n[0] * n[1]};
  const int outer = axis == 2 ? 1 : 2;
  const int inner = 3 - axis - outer;
  parallel_for(n[outer], [&](std::int64_t o) {
    LineScratch scratch;
    for (std::int64_t p = 0; p < n[inner]; ++p) {
      line(o * stride[outer] + p * stride[inner], stride[axis], scratch);
    }
  });
}

// Squared distances along one more axis: each voxel's value becomes the minimum over its line of
// (distance along the line)^2 + value.
void transform_axis(Image<float>& squared, int axis) {
  const Size3& n = squared.size();
  const double spacing = squared.geometry().spacing[static_cast<std::size_t>(axis)];
  const std::int64_t length = n[static_cast<std::size_t>(axis)];
  float* data = squared.data();
  for_each_line(n, axis, [&](std::int64_t start, std::int64_t stride, LineScratch& s) {
    s.weight.resize(static_cast<std::size_t>(length));
    bool any_site = false;
    for (std::int64_t q = 0; q < length; ++q) {
      const float value = data[start + q * stride];
      s.weight[static_cast<std::size_t>(q)] = value;
      any_site = any_site || !std::isinf(value);
    }
    // A line without a finite value stays infinite: most lines of a small organ's first passes.
    if (!any_site) return;
    lower_envelope(s, 0.0, spacing, length);
    for (std::int64_t i = 0; i < length; ++i) {
      data[start + i * stride] = static_cast<float>(s.result[static_cast<std::size_t>(i)]);
    }
  });
}

// Squared distance from every voxel centre to the nearest face centre perpendicular to `axis`
// where membership changes, along `axis`'s grid lines only (faces at the two ends of a line see
// the outside of the grid); transform_axis along the other two axes completes it.
Image<float> squared_distance_to_faces_on_lines(const LabelMap& labels, std::uint16_t label,
                                                int axis) {
  const Size3& n = labels.size();
  const double spacing = labels.geometry().spacing[static_cast<std::size_t>(axis)];
  const std::int64_t length = n[static_cast<std::size_t>(axis)];
  const std::uint16_t* values = labels.data();
  Image<float> squared(labels.geometry(), std::numeric_limits<float>::infinity());
  float* data = squared.data();
  for_each_line(n, axis, [&](std::int64_t start, std::int64_t stride, LineScratch& s) {
    // Face t lies between voxels t - 1 and t, at (t - 1/2) * spacing; voxels -1 and `length` are
    // outside the grid and so outside the label.
    s.weight.resize(static_cast<std::size_t>(length + 1));
    bool before = false, any_face = false;
    for (std::int64_t t = 0; t <= length; ++t) {
      const bool after = t < length && values[start + t * stride] == label;
      s.weight[static_cast<std::size_t>(t)] = before != after ? 0.0 : kInfinity;
      any_face = any_face || before != after;
      before = after;
    }
    if (!any_face) return;  // the image starts infinite
    nearest_face_on_line(s, spacing, length);
    for (std::int64_t i = 0; i < length; ++i) {
      data[start + i * stride] = static_cast<float>(s.result[static_cast<std::size_t>(i)]);
    }
  });
  return squared;
}

void keep_smaller(Image<float>& nearest, const Image<float>& candidate) {
  float* n = nearest.data();
  const float* c = candidate.data();
  for (std::int64_t v = 0; v < nearest.voxel_count(); ++v) n[v] = std::min(n[v], c[v]);
}

}  // namespace

Image<float> distance_to_mask(const Image<std::uint8_t>& mask) {
  Image<float> distance(mask.geometry());
  const std::uint8_t* in = mask.data();
  float* out = distance.data();
  const std::int64_t count = mask.voxel_count();
  for (std::int64_t v = 0; v < count; ++v) {
    out[v] = in[v] != 0 ? 0.0f : std::numeric_limits<float>::infinity();
  }
  for (int axis = 0; axis < 3; ++axis) transform_axis(distance, axis);
  for (float& d : distance.buffer()) d = std::sqrt(d);
  return distance;
}

Image<float> signed_distance(const LabelMap& labels, std::uint16_t label) {
  bool present = false;
  for (const std::uint16_t v : labels.buffer()) {
    if (v == label) {
      present = true;
      break;
    }
  }
  if (!present) {
    throw data_error(
        "label {} does not occur in the label map, so it has no surface to measure from", label);
  }
  // The nearest face of each orientation needs the transform along the two other axes: T_y T_z
  // of the x faces, T_x T_z of the y faces, T_x T_y of the z faces. A transform is a minimum
  // over its line, so it distributes over a voxelwise minimum, and the x and y faces share their
  // z pass: T_z(min(T_y X, T_x Y)). Five passes over the grid instead of six.
  Image<float> distance = squared_distance_to_faces_on_lines(labels, label, 0);
  transform_axis(distance, 1);
  {
    Image<float> y_faces = squared_distance_to_faces_on_lines(labels, label, 1);
    transform_axis(y_faces, 0);
    keep_smaller(distance, y_faces);
  }
  transform_axis(distance, 2);
  {
    Image<float> z_faces = squared_distance_to_faces_on_lines(labels, label, 2);
    transform_axis(z_faces, 0);
    transform_axis(z_faces, 1);
    keep_smaller(distance, z_faces);
  }
  const std::uint16_t* values = labels.data();
  float* out = distance.data();
  for (std::int64_t v = 0; v < distance.voxel_count(); ++v) {
    const float d = std::sqrt(out[v]);
    out[v] = values[v] == label ? -d : d;
  }
  return distance;
}

Image<float> distance_to_cut(const LabelMap& labels, std::uint16_t label) {
  const Geometry& g = labels.geometry();
  const std::int64_t nx = g.size[0], ny = g.size[1], nz = g.size[2];
  Image<std::uint8_t> cut(g, 0);
  bool any = false;
  // Only the grid's outer layer is visited: whole rows on the first and last slices and rows,
  // the two end voxels of every other row.
  for (std::int64_t z = 0; z < nz; ++z)
    for (std::int64_t y = 0; y < ny; ++y) {
      const bool whole_row = z == 0 || y == 0 || z == nz - 1 || y == ny - 1;
      const std::int64_t step = whole_row ? 1 : std::max<std::int64_t>(nx - 1, 1);
      for (std::int64_t x = 0; x < nx; x += step) {
        if (labels(x, y, z) == label) {
          cut(x, y, z) = 1;
          any = true;
        }
      }
    }
  if (!any) return Image<float>();
  return distance_to_mask(cut);
}

}  // namespace modir::filter
