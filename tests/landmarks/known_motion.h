#pragma once

// A known affine motion and a scan moved by it, for the landmark matchers' tests.

#include <gtest/gtest.h>

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>

#include "modir/core/image.h"
#include "modir/landmarks/matcher.h"

namespace modir::test {

// moving(y) = fixed(A^-1 (y - c) + c) with A a rotation about z, a scale and a shift: the fixed
// point x corresponds to the moving point c + A (x - c) + t.
struct Affine {
  Mat3 matrix;
  Vec3d shift;
  Vec3d apply(const Vec3d& x) const { return matrix * x + shift; }
};

inline Affine known_affine() {
  const double angle = 6.0 * M_PI / 180.0, scale = 1.04;
  Affine a;
  a.matrix =
      Mat3::from_columns({scale * std::cos(angle), scale * std::sin(angle), 0},
                         {-scale * std::sin(angle), scale * std::cos(angle), 0}, {0, 0, 1.0});
  a.shift = {5.0, -3.0, 4.0};
  return a;
}

inline Image<float> moved(const Image<float>& fixed, const Affine& a) {
  // inverse: x = A^-1 (y - t)
  Eigen::Matrix3d m;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) m(r, c) = a.matrix(r, c);
  const Eigen::Matrix3d inv = m.inverse();
  Image<float> out(fixed.geometry(), -1000.0f);
  const Geometry& g = fixed.geometry();
  for (std::int64_t z = 0; z < g.size[2]; ++z)
    for (std::int64_t y = 0; y < g.size[1]; ++y)
      for (std::int64_t x = 0; x < g.size[0]; ++x) {
        const Vec3d p = g.index_to_world({double(x), double(y), double(z)}) - a.shift;
        const Eigen::Vector3d q = inv * Eigen::Vector3d(p.x, p.y, p.z);
        const Vec3d i = g.world_to_index({q.x(), q.y(), q.z()});
        // Trilinear, air outside.
        std::int64_t i0[3];
        double f[3];
        bool inside = true;
        for (int k = 0; k < 3; ++k) {
          if (i[k] < 0 || i[k] > double(g.size[k] - 1)) inside = false;
          i0[k] = std::min<std::int64_t>(std::int64_t(std::floor(i[k])), g.size[k] - 2);
          f[k] = i[k] - double(i0[k]);
        }
        if (!inside) continue;
        double v = 0.0;
        for (int c = 0; c < 8; ++c) {
          const double w =
              (c & 1 ? f[0] : 1 - f[0]) * (c & 2 ? f[1] : 1 - f[1]) * (c & 4 ? f[2] : 1 - f[2]);
          v += w * fixed(i0[0] + (c & 1), i0[1] + ((c >> 1) & 1), i0[2] + ((c >> 2) & 1));
        }
        out(x, y, z) = float(v);
      }
  return out;
}

/// A scan matched with itself: many pairs, each within 0.5 mm of itself, confidences in (0, 1].
inline void expect_matched_to_themselves(const landmarks::MatchResult& r) {
  ASSERT_TRUE(r.message.empty()) << r.message;
  ASSERT_GE(r.matches.size(), 40u);
  for (const landmarks::LandmarkMatch& m : r.matches) {
    EXPECT_LE((m.moving - m.fixed).norm(), 0.5);
    EXPECT_GT(m.confidence, 0.0);
    EXPECT_LE(m.confidence, 1.0);
  }
}

/// RMS of the matches against the true motion, and of an affine fitted to all matches (least
/// squares) against it.
struct MotionErrors {
  double match_rms = 0.0;
  double fit_rms = 0.0;
};

inline MotionErrors errors_against(const std::vector<landmarks::LandmarkMatch>& matches,
                                   const Affine& a) {
  double sum = 0.0;
  Eigen::MatrixXd design(matches.size(), 4), target(matches.size(), 3);
  for (std::size_t i = 0; i < matches.size(); ++i) {
    const landmarks::LandmarkMatch& m = matches[i];
    const Vec3d e = m.moving - a.apply(m.fixed);
    sum += e.dot(e);
    design.row(Eigen::Index(i)) << m.fixed.x, m.fixed.y, m.fixed.z, 1.0;
    target.row(Eigen::Index(i)) << m.moving.x, m.moving.y, m.moving.z;
  }
  const Eigen::MatrixXd fit = design.colPivHouseholderQr().solve(target);
  double fit_sum = 0.0;
  for (std::size_t i = 0; i < matches.size(); ++i) {
    const Eigen::Vector3d p = (design.row(Eigen::Index(i)) * fit).transpose();
    const Vec3d e = Vec3d{p.x(), p.y(), p.z()} - a.apply(matches[i].fixed);
    fit_sum += e.dot(e);
  }
  const double n = double(std::max<std::size_t>(1, matches.size()));
  return {std::sqrt(sum / n), std::sqrt(fit_sum / n)};
}

}  // namespace modir::test
