#include "modir/phantom/shapes.h"

namespace modir::phantom {

double ellipsoid_distance(const Vec3d& q, const Vec3d& semi) {
  const Vec3d a{q.x / semi.x, q.y / semi.y, q.z / semi.z};
  const double k0 = a.norm();
  const double k1 = Vec3d{a.x / semi.x, a.y / semi.y, a.z / semi.z}.norm();
  if (k1 < 1e-12) return -std::min({semi.x, semi.y, semi.z});
  return k0 * (k0 - 1.0) / k1;
}

double superellipsoid_distance(const Vec3d& q, const Vec3d& semi, double exponent) {
  // The implicit function f = (sum |q_i / a_i|^n)^(1/n) divided by its gradient norm: the
  // first-order distance to the level set f = 1. Powers are shared to keep it cheap.
  const double s[3] = {std::abs(q.x) / semi.x, std::abs(q.y) / semi.y, std::abs(q.z) / semi.z};
  double sn[3];
  double sum = 0.0;
  for (int i = 0; i < 3; ++i) {
    sn[i] = std::pow(s[i], exponent);
    sum += sn[i];
  }
  if (sum < 1e-30) return -std::min({semi.x, semi.y, semi.z});
  const double f = std::pow(sum, 1.0 / exponent);
  // d f / d q_i = f^(1-n) s_i^(n-1) / a_i, with f^(1-n) = f / sum and s^(n-1) = s^n / s.
  const double scale = f / sum;
  double g2 = 0.0;
  const double a[3] = {semi.x, semi.y, semi.z};
  for (int i = 0; i < 3; ++i) {
    if (s[i] <= 0.0) continue;
    const double gi = scale * (sn[i] / s[i]) / a[i];
    g2 += gi * gi;
  }
  if (g2 < 1e-30) return -std::min({semi.x, semi.y, semi.z});
  return (f - 1.0) / std::sqrt(g2);
}

Vec3d random_unit(Rng& rng) {
  const double z = rng.uniform(-1.0, 1.0);
  const double phi = rng.uniform(0.0, 2.0 * M_PI);
  const double r = std::sqrt(std::max(0.0, 1.0 - z * z));
  return {r * std::cos(phi), r * std::sin(phi), z};
}

Waves Waves::random(Rng& rng, int n, double max_amplitude, double max_frequency) {
  Waves w;
  for (int i = 0; i < n; ++i) {
    // One draw per statement: the order of operands' evaluation is unspecified in C++.
    const Vec3d direction = random_unit(rng);
    const Vec3d k = direction * rng.uniform(1.0, max_frequency);
    const double a = max_amplitude * rng.uniform(0.3, 1.0);
    const double phase = rng.uniform(0.0, 2.0 * M_PI);
    w.add(k, a, phase);
  }
  return w;
}

Mat3 frame_from(const Vec3d& u, const Vec3d& v_hint) {
  const Vec3d uu = u / u.norm();
  Vec3d v = v_hint - uu * uu.dot(v_hint);
  v = v / v.norm();
  const Vec3d w = uu.cross(v);
  Mat3 r;
  r.m = {{{uu.x, uu.y, uu.z}, {v.x, v.y, v.z}, {w.x, w.y, w.z}}};
  return r;
}

double Blob::distance(const Vec3d& p) const {
  const Vec3d q = local(p);
  Vec3d s = semi;
  if (waves.count > 0) {
    const double n = q.norm();
    if (n > 1e-9) s = semi * waves.factor(q / n);
  }
  return exponent == 2.0 ? ellipsoid_distance(q, s) : superellipsoid_distance(q, s, exponent);
}

Box Blob::bounds() const {
  const Vec3d s = semi * waves.max_factor();
  const Mat3 world = to_local.transposed();  // columns: local axes
  const double bend_extra = std::abs(bend) * s.x * s.x;
  Box box;
  Vec3d ext;
  for (int i = 0; i < 3; ++i) {
    double e = 0.0;
    if (exponent == 2.0) {
      for (int j = 0; j < 3; ++j) e += (world(i, j) * s[j]) * (world(i, j) * s[j]);
      e = std::sqrt(e);
    } else {
      for (int j = 0; j < 3; ++j) e += std::abs(world(i, j)) * s[j];
    }
    ext[i] = e + std::abs(world(i, 2)) * bend_extra;
  }
  box.include(centre - ext);
  box.include(centre + ext);
  return box;
}

Vec3d Blob::to_world(const Vec3d& q) const {
  Vec3d b = q;
  b.z += bend * b.x * b.x;
  return centre + to_local.transposed() * b;
}

Vec3d Blob::surface_point(const Vec3d& local_direction, double inset) const {
  const Vec3d u = local_direction / local_direction.norm();
  const Vec3d s = semi * waves.factor(u);
  double t;
  if (exponent == 2.0) {
    const Vec3d r{u.x / s.x, u.y / s.y, u.z / s.z};
    t = 1.0 / r.norm();
  } else {
    const double sum = std::pow(std::abs(u.x / s.x), exponent) +
                       std::pow(std::abs(u.y / s.y), exponent) +
                       std::pow(std::abs(u.z / s.z), exponent);
    t = std::pow(sum, -1.0 / exponent);
  }
  return to_world(u * std::max(0.0, t - inset));
}

Box Segment::bounds() const {
  const double r = std::max({ra0, ra1, round ? 0.0 : rb0, round ? 0.0 : rb1});
  const Vec3d e{r, r, r};
  const Vec3d b = a + axis * length;
  Box box;
  box.include(a - e);
  box.include(a + e);
  box.include(b - e);
  box.include(b + e);
  return box;
}

double catmull_rom(const std::vector<double>& values, double t) {
  const int n = static_cast<int>(values.size());
  if (n == 0) return 0.0;
  if (n == 1) return values[0];
  const int i = std::clamp(static_cast<int>(std::floor(t)), 0, n - 2);
  const double u = std::clamp(t - i, 0.0, 1.0);
  const double p1 = values[i], p2 = values[i + 1];
  const double p0 = i > 0 ? values[i - 1] : 2.0 * p1 - p2;
  const double p3 = i + 2 < n ? values[i + 2] : 2.0 * p2 - p1;
  const double v =
      0.5 * (2.0 * p1 + (-p0 + p2) * u + (2.0 * p0 - 5.0 * p1 + 4.0 * p2 - p3) * u * u +
             (-p0 + 3.0 * p1 - 3.0 * p2 + p3) * u * u * u);
  // Overshoot between very different radii must not reach zero or below.
  return std::max(v, 0.5 * std::min(p1, p2));
}

namespace {

struct Span {
  Vec3d p0, p1, p2, p3;
  double u;
};

Span span_at(const std::vector<Vec3d>& pts, double t) {
  const int n = static_cast<int>(pts.size());
  const int i = std::clamp(static_cast<int>(std::floor(t)), 0, n - 2);
  Span s;
  s.u = std::clamp(t - i, 0.0, 1.0);
  s.p1 = pts[i];
  s.p2 = pts[i + 1];
  s.p0 = i > 0 ? pts[i - 1] : s.p1 * 2.0 - s.p2;
  s.p3 = i + 2 < n ? pts[i + 2] : s.p2 * 2.0 - s.p1;
  return s;
}

}  // namespace

Vec3d TubeSpec::point_at(double t) const {
  if (points.size() == 1) return points[0];
  const Span s = span_at(points, t);
  const double u = s.u, u2 = u * u, u3 = u2 * u;
  return (s.p1 * 2.0 + (s.p2 - s.p0) * u + (s.p0 * 2.0 - s.p1 * 5.0 + s.p2 * 4.0 - s.p3) * u2 +
          (s.p1 * 3.0 - s.p0 - s.p2 * 3.0 + s.p3) * u3) *
         0.5;
}

Vec3d TubeSpec::tangent_at(double t) const {
  if (points.size() == 1) return {0, 0, 1};
  const Span s = span_at(points, t);
  const double u = s.u, u2 = u * u;
  const Vec3d d = ((s.p2 - s.p0) + (s.p0 * 2.0 - s.p1 * 5.0 + s.p2 * 4.0 - s.p3) * (2.0 * u) +
                   (s.p1 * 3.0 - s.p0 - s.p2 * 3.0 + s.p3) * (3.0 * u2)) *
                  0.5;
  const double n = d.norm();
  return n > 1e-12 ? d / n : Vec3d{0, 0, 1};
}

double TubeSpec::radius_a_at(double t) const {
  return catmull_rom(radius_a, t);
}

double TubeSpec::radius_b_at(double t) const {
  return radius_b.empty() ? radius_a_at(t) : catmull_rom(radius_b, t);
}

std::vector<Segment> TubeSpec::segments() const {
  std::vector<double> ts;
  const int n = static_cast<int>(points.size());
  for (int i = 0; i + 1 < n; ++i) {
    const double len = (points[i + 1] - points[i]).norm();
    // Thick tubes take longer pieces: a point inside then lies within reach of fewer of them,
    // and the centre line's chord error stays far below the radius.
    const double thinnest =
        std::min({radius_a_at(i), radius_a_at(i + 1), radius_b_at(i), radius_b_at(i + 1)});
    const double step = std::max(step_mm, 0.4 * thinnest);
    const int m = std::max(1, static_cast<int>(std::ceil(len / step)));
    for (int j = 0; j < m; ++j) ts.push_back(i + static_cast<double>(j) / m);
  }
  ts.push_back(last_t());
  std::vector<Segment> out;
  for (std::size_t k = 0; k + 1 < ts.size(); ++k) {
    const Vec3d a = point_at(ts[k]);
    const Vec3d b = point_at(ts[k + 1]);
    const double len = (b - a).norm();
    if (len < 1e-6) continue;
    Segment s;
    s.a = a;
    s.axis = (b - a) / len;
    s.length = len;
    s.ra0 = radius_a_at(ts[k]);
    s.ra1 = radius_a_at(ts[k + 1]);
    s.round = radius_b.empty();
    if (!s.round) {
      s.rb0 = radius_b_at(ts[k]);
      s.rb1 = radius_b_at(ts[k + 1]);
      Vec3d sd = side - s.axis * side.dot(s.axis);
      if (sd.norm() < 1e-6) sd = s.axis.cross(Vec3d{0, 0, 1});
      s.side = sd / sd.norm();
      s.normal = s.axis.cross(s.side);
    }
    out.push_back(s);
  }
  return out;
}

Blob Blob::random(const Vec3d& centre, const Vec3d& semi, Rng& rng, double wave_amplitude,
                  const Mat3& to_local) {
  Blob b;
  b.centre = centre;
  b.semi = semi;
  b.to_local = to_local;
  b.waves = Waves::random(rng, 3, wave_amplitude, 2.0);
  return b;
}

}  // namespace modir::phantom
