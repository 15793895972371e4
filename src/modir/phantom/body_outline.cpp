#include "modir/phantom/body_outline.h"

#include <cmath>

namespace modir::phantom {

namespace {

/// A monotone stand-in for the polar angle in [0, 4) that needs one division: 0 on +x, 1 on +y,
/// 2 on -x, 3 on -y.
double diamond_angle(double x, double y) {
  if (y >= 0.0) return x >= 0.0 ? y / (x + y) : 1.0 - x / (y - x);
  return x < 0.0 ? 2.0 - y / (-x - y) : 3.0 + x / (x - y);
}

/// The unit in-plane direction of a diamond angle.
std::pair<double, double> diamond_direction(double a) {
  double x, y;
  if (a < 1.0) {
    x = 1.0 - a;
    y = a;
  } else if (a < 2.0) {
    x = 1.0 - a;
    y = 2.0 - a;
  } else if (a < 3.0) {
    x = a - 3.0;
    y = 2.0 - a;
  } else {
    x = a - 3.0;
    y = a - 4.0;
  }
  const double n = std::sqrt(x * x + y * y);
  return {x / n, y / n};
}

double angular_difference(double a, double b) {
  return std::remainder(a - b, 2.0 * M_PI);
}

double square(double v) {
  return v * v;
}

double ellipse_distance_2d(double x, double y, double rx, double ry) {
  const double k0 = std::sqrt(square(x / rx) + square(y / ry));
  const double k1 = std::sqrt(square(x / (rx * rx)) + square(y / (ry * ry)));
  if (k1 < 1e-12) return -std::min(rx, ry);
  return k0 * (k0 - 1.0) / k1;
}

constexpr double kThighTaper = 70.0;  // mm above the crotch over which a thigh fades into the trunk

}  // namespace

double Profile::at(double z) const {
  if (keys.empty()) return 0.0;
  if (z <= keys.front().first) return keys.front().second;
  if (z >= keys.back().first) return keys.back().second;
  for (std::size_t i = 0; i + 1 < keys.size(); ++i) {
    if (z <= keys[i + 1].first) {
      const double u = (z - keys[i].first) / (keys[i + 1].first - keys[i].first);
      const double s = u * u * (3.0 - 2.0 * u);
      return keys[i].second + (keys[i + 1].second - keys[i].second) * s;
    }
  }
  return keys.back().second;
}

BodyOutline::BodyOutline(const OutlineParams& params) : params_(params) {
  nz_ = static_cast<int>(std::ceil((params_.z_max - params_.z_min) / dz_)) + 1;
  radius_.resize(static_cast<std::size_t>(nz_) * kAngles);
  normal_factor_.resize(radius_.size());
  thigh_top_ = params_.crotch_z + kThighTaper;
  for (int iz = 0; iz < nz_; ++iz) {
    const double z = params_.z_min + iz * dz_;
    for (int ia = 0; ia < kAngles; ++ia) {
      const auto [dx, dy] = diamond_direction(4.0 * ia / kAngles);
      const double angle = std::atan2(dy, dx);
      const double r = trunk_radius(z, angle);
      constexpr double kDelta = 0.004;
      const double dr =
          (trunk_radius(z, angle + kDelta) - trunk_radius(z, angle - kDelta)) / (2.0 * kDelta);
      // Depth along the ray times this factor is the depth along the normal.
      const double nf = r > 1e-6 ? r / std::sqrt(r * r + dr * dr) : 1.0;
      const std::size_t k = static_cast<std::size_t>(iz) * kAngles + ia;
      radius_[k] = static_cast<float>(r);
      normal_factor_[k] = static_cast<float>(nf);
      if (r > 0.0) {
        bounds_.include(Vec3d{dx * r, params_.centre_y + dy * r, z});
      }
    }
  }
  for (double z = params_.z_min; z <= std::min(thigh_top_, params_.z_max); z += dz_) {
    const auto [rx, ry] = thigh_radii(z);
    if (rx <= 0.0) continue;
    for (int side = 0; side < 2; ++side) {
      const Vec3d c = thigh_centre(side, z);
      bounds_.include(c - Vec3d{rx, ry, 0});
      bounds_.include(c + Vec3d{rx, ry, 0});
    }
  }
  bounds_.lo.z = params_.z_min;
  bounds_.hi.z = params_.z_max;
}

double BodyOutline::trunk_radius(double z, double angle) const {
  const OutlineParams& P = params_;
  const double a = P.half_width.at(z);
  const double c = std::cos(angle), s = std::sin(angle);
  const double b = s < 0.0 ? P.anterior.at(z) : P.posterior.at(z);
  const double n = P.exponent;
  double r = std::pow(std::pow(std::abs(c) / a, n) + std::pow(std::abs(s) / b, n), -1.0 / n);
  double f = 1.0;
  for (const Harmonic& h : P.harmonics)
    f += h.amplitude * std::cos(h.order * angle + h.phase) *
         (0.6 + 0.4 * std::cos(z * h.z_frequency + h.z_phase));
  r *= f;
  // Buttocks: two posterolateral bulges, and the cleft between them fading out above.
  const double wz = std::exp(-square((z - P.buttock_z) / P.buttock_sigma_z));
  for (double side : {-1.0, 1.0})
    r += P.buttock_bulge * wz *
         std::exp(-square(angular_difference(angle, 0.5 * M_PI + side * 0.8) / 0.45));
  const double wc = 1.0 / (1.0 + std::exp((z - (P.buttock_z + 30.0)) / 8.0));
  r -= P.cleft_depth * wc * std::exp(-square(angular_difference(angle, 0.5 * M_PI) / 0.07));
  // Below the crotch the trunk gives way to the thighs within a few centimetres.
  if (z < P.crotch_z) {
    const double t = (P.crotch_z - z) / 35.0;
    r *= std::sqrt(std::max(0.0, 1.0 - t * t));
  }
  return std::max(r, 0.0);
}

Vec3d BodyOutline::trunk_point(double z, double angle, double inset) const {
  const double r = std::max(0.0, trunk_radius(z, angle) - inset);
  return {std::cos(angle) * r, params_.centre_y + std::sin(angle) * r, z};
}

Vec3d BodyOutline::thigh_centre(int side, double z) const {
  const double sign = side == 0 ? -1.0 : 1.0;
  const double x = params_.thigh_x - params_.thigh_x_slope * (params_.crotch_z - z);
  return {sign * x, params_.thigh_y, z};
}

std::pair<double, double> BodyOutline::thigh_radii(double z) const {
  if (z > thigh_top_) return {0.0, 0.0};
  double r =
      params_.thigh_radius - params_.thigh_radius_slope * std::max(0.0, params_.crotch_z - z);
  if (z > params_.crotch_z)
    r *= std::sqrt(std::max(0.0, 1.0 - square((z - params_.crotch_z) / kThighTaper)));
  r = std::max(r, 0.0);
  return {r, r * params_.thigh_aspect};
}

double BodyOutline::trunk_depth(const Vec3d& p) const {
  const double fz = (p.z - params_.z_min) / dz_;
  const int i0 = std::clamp(static_cast<int>(fz), 0, nz_ - 2);
  const double wz = std::clamp(fz - i0, 0.0, 1.0);
  const double qx = p.x, qy = p.y - params_.centre_y;
  const double rho = std::sqrt(qx * qx + qy * qy);
  const double a = rho > 1e-9 ? diamond_angle(qx, qy) : 0.0;
  const double s = a * (kAngles / 4.0);
  int j0 = static_cast<int>(s);
  const double wa = s - j0;
  if (j0 >= kAngles) j0 -= kAngles;
  const int j1 = j0 + 1 == kAngles ? 0 : j0 + 1;
  const std::size_t r0 = static_cast<std::size_t>(i0) * kAngles, r1 = r0 + kAngles;
  auto bilinear = [&](const std::vector<float>& t) {
    const double lo = t[r0 + j0] + (t[r0 + j1] - t[r0 + j0]) * wa;
    const double hi = t[r1 + j0] + (t[r1 + j1] - t[r1 + j0]) * wa;
    return lo + (hi - lo) * wz;
  };
  return (bilinear(radius_) - rho) * bilinear(normal_factor_);
}

double BodyOutline::thigh_depth(const Vec3d& p) const {
  const auto [rx, ry] = thigh_radii(p.z);
  if (rx <= 0.0) return -kFar;
  double best = -kFar;
  for (int side = 0; side < 2; ++side) {
    const Vec3d c = thigh_centre(side, p.z);
    best = std::max(best, -ellipse_distance_2d(p.x - c.x, p.y - c.y, rx, ry));
  }
  return best;
}

double BodyOutline::depth(const Vec3d& p) const {
  if (p.z < params_.z_min || p.z > params_.z_max) return -kFar;
  const double trunk = trunk_depth(p);
  if (p.z >= thigh_top_) return trunk;
  // Smooth union of trunk and thighs (union of insides = maximum of depths).
  return -smooth_min(-trunk, -thigh_depth(p), 15.0);
}

}  // namespace modir::phantom
