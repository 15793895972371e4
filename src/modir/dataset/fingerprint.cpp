#include "modir/dataset/fingerprint.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "modir/filter/gaussian_blur.h"
#include "modir/filter/resample.h"

namespace modir::dataset {

namespace {

// The lattice points in [lo, hi] mm along one axis.
void lattice_range(double lo, double hi, double step, std::int64_t& first, std::int64_t& count) {
  first = static_cast<std::int64_t>(std::ceil(lo / step));
  const auto last = static_cast<std::int64_t>(std::floor(hi / step));
  count = std::max<std::int64_t>(0, last - first + 1);
}

// Correlation of x and y given their sums.
double correlation(double n, double sx, double sy, double sxx, double syy, double sxy) {
  const double vx = sxx - sx * sx / n, vy = syy - sy * sy / n;
  if (vx <= 0.0 || vy <= 0.0) return 0.0;
  return (sxy - sx * sy / n) / std::sqrt(vx * vy);
}

// The fingerprint minus its own smoothing (sigma 2 steps) over valid points, NaN elsewhere.
std::vector<float> detail_of(const Fingerprint& f) {
  Geometry g;
  g.size = f.size;
  g.spacing = {f.step_mm, f.step_mm, f.step_mm};
  Image<float> smooth(g), weight(g);
  for (std::size_t v = 0; v < f.values.size(); ++v) {
    const bool ok = !std::isnan(f.values[v]);
    smooth.buffer()[v] = ok ? f.values[v] : 0.0f;
    weight.buffer()[v] = ok ? 1.0f : 0.0f;
  }
  const double sigma = 2.0 * f.step_mm;
  filter::gaussian_blur(smooth, {sigma, sigma, sigma});
  filter::gaussian_blur(weight, {sigma, sigma, sigma});
  std::vector<float> out(f.values.size(), std::numeric_limits<float>::quiet_NaN());
  for (std::size_t v = 0; v < f.values.size(); ++v) {
    if (!std::isnan(f.values[v]) && weight.buffer()[v] > 1e-3f)
      out[v] = f.values[v] - smooth.buffer()[v] / weight.buffer()[v];
  }
  return out;
}

}  // namespace

Fingerprint make_fingerprint(const Image<float>& image, double step_mm) {
  Image<float> clamped = image;
  for (float& v : clamped.buffer()) v = std::clamp(v, -1000.0f, 1500.0f);
  const double sigma = 0.5 * step_mm;
  filter::gaussian_blur(clamped, {sigma, sigma, sigma});

  // World bounding box of the voxel centres.
  const Geometry& g = image.geometry();
  Vec3d lo{1e300, 1e300, 1e300}, hi{-1e300, -1e300, -1e300};
  for (int corner = 0; corner < 8; ++corner) {
    const Vec3d index{(corner & 1) ? double(g.size[0] - 1) : 0.0,
                      (corner & 2) ? double(g.size[1] - 1) : 0.0,
                      (corner & 4) ? double(g.size[2] - 1) : 0.0};
    const Vec3d w = g.index_to_world(index);
    for (int a = 0; a < 3; ++a) {
      lo[a] = std::min(lo[a], w[a]);
      hi[a] = std::max(hi[a], w[a]);
    }
  }
  Fingerprint f;
  f.step_mm = step_mm;
  Geometry lattice;
  for (int a = 0; a < 3; ++a) {
    lattice_range(lo[a], hi[a], step_mm, f.first[a], f.size[a]);
    f.size[a] = std::max<std::int64_t>(f.size[a], 1);
    lattice.size[a] = f.size[a];
    lattice.spacing[a] = step_mm;
    lattice.origin[a] = static_cast<double>(f.first[a]) * step_mm;
  }
  const Image<float> sampled = filter::resample(clamped, lattice, filter::Interpolation::kLinear,
                                                std::numeric_limits<double>::quiet_NaN());
  f.values = sampled.buffer();
  f.detail = detail_of(f);
  f.valid = std::count_if(f.values.begin(), f.values.end(), [](float v) { return !std::isnan(v); });
  return f;
}

Similarity compare(const Fingerprint& a, const Fingerprint& b) {
  Similarity s;
  s.ncc = s.detail_ncc = std::numeric_limits<double>::quiet_NaN();
  if (a.step_mm != b.step_mm || a.valid == 0 || b.valid == 0) return s;
  std::array<std::int64_t, 3> lo{}, hi{};
  for (int d = 0; d < 3; ++d) {
    lo[d] = std::max(a.first[d], b.first[d]);
    hi[d] = std::min(a.first[d] + a.size[d], b.first[d] + b.size[d]);
    if (hi[d] <= lo[d]) return s;
  }
  const std::vector<float>& da = a.detail;
  const std::vector<float>& db = b.detail;
  double n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  double m = 0, tx = 0, ty = 0, txx = 0, tyy = 0, txy = 0;
  for (std::int64_t z = lo[2]; z < hi[2]; ++z)
    for (std::int64_t y = lo[1]; y < hi[1]; ++y)
      for (std::int64_t x = lo[0]; x < hi[0]; ++x) {
        const auto ia = static_cast<std::size_t>(
            (x - a.first[0]) + a.size[0] * ((y - a.first[1]) + a.size[1] * (z - a.first[2])));
        const auto ib = static_cast<std::size_t>(
            (x - b.first[0]) + b.size[0] * ((y - b.first[1]) + b.size[1] * (z - b.first[2])));
        const double u = a.values[ia], v = b.values[ib];
        if (std::isnan(u) || std::isnan(v)) continue;
        n += 1;
        sx += u, sy += v, sxx += u * u, syy += v * v, sxy += u * v;
        const double p = da[ia], q = db[ib];
        if (std::isnan(p) || std::isnan(q)) continue;
        m += 1;
        tx += p, ty += q, txx += p * p, tyy += q * q, txy += p * q;
      }
  s.points = static_cast<std::int64_t>(n);
  s.overlap = n / static_cast<double>(std::min(a.valid, b.valid));
  if (n >= 2) s.ncc = correlation(n, sx, sy, sxx, syy, sxy);
  if (m >= 2) s.detail_ncc = correlation(m, tx, ty, txx, tyy, txy);
  return s;
}

}  // namespace modir::dataset
