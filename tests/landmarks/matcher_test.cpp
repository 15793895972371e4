// The classical landmark matcher on scans whose correspondence is known exactly: a scan with
// itself, and a scan with a copy of itself under a known affine motion.

#include <gtest/gtest.h>

#include <Eigen/Dense>

#include "modir/core/parallel.h"
#include "modir/filter/resample.h"
#include "modir/landmarks/matcher.h"
#include "synthetic_scan.h"

namespace modir::landmarks {
namespace {

// moving(y) = fixed(A^-1 (y - c) + c) with A a rotation about z, a scale and a shift: the fixed
// point x corresponds to the moving point c + A (x - c) + t.
struct Affine {
  Mat3 matrix;
  Vec3d shift;
  Vec3d apply(const Vec3d& x) const { return matrix * x + shift; }
};

Affine known_affine() {
  const double angle = 6.0 * M_PI / 180.0, scale = 1.04;
  Affine a;
  a.matrix =
      Mat3::from_columns({scale * std::cos(angle), scale * std::sin(angle), 0},
                         {-scale * std::sin(angle), scale * std::cos(angle), 0}, {0, 0, 1.0});
  a.shift = {5.0, -3.0, 4.0};
  return a;
}

Image<float> moved(const Image<float>& fixed, const Affine& a) {
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

TEST(LandmarkMatcher, IdenticalScansMatchEveryPointToItself) {
  const Image<float> scan = test::structured_scan(3);
  const MatchResult r = match_landmarks(scan, scan, nullptr, nullptr);
  ASSERT_TRUE(r.message.empty()) << r.message;
  ASSERT_GE(r.matches.size(), 40u);
  for (const LandmarkMatch& m : r.matches) {
    EXPECT_LE((m.moving - m.fixed).norm(), 0.5);
    EXPECT_GT(m.confidence, 0.0);
    EXPECT_LE(m.confidence, 1.0);
  }
}

TEST(LandmarkMatcher, AKnownAffineMotionIsRecoveredFromTheMatches) {
  const Image<float> fixed = test::structured_scan(5);
  const Affine a = known_affine();
  const Image<float> moving = moved(fixed, a);
  const MatchResult r = match_landmarks(fixed, moving, nullptr, nullptr);
  ASSERT_GE(r.matches.size(), 40u) << r.message;
  // Each match against the truth, and an affine fitted to all matches against the true one.
  double sum = 0.0;
  Eigen::MatrixXd design(r.matches.size(), 4), target(r.matches.size(), 3);
  for (std::size_t i = 0; i < r.matches.size(); ++i) {
    const LandmarkMatch& m = r.matches[i];
    const Vec3d e = m.moving - a.apply(m.fixed);
    sum += e.dot(e);
    design.row(Eigen::Index(i)) << m.fixed.x, m.fixed.y, m.fixed.z, 1.0;
    target.row(Eigen::Index(i)) << m.moving.x, m.moving.y, m.moving.z;
  }
  const double match_rms = std::sqrt(sum / double(r.matches.size()));
  EXPECT_LE(match_rms, 1.0);
  const Eigen::MatrixXd fit = design.colPivHouseholderQr().solve(target);
  double fit_sum = 0.0;
  for (std::size_t i = 0; i < r.matches.size(); ++i) {
    const Eigen::Vector3d p = (design.row(Eigen::Index(i)) * fit).transpose();
    const Vec3d e = Vec3d{p.x(), p.y(), p.z()} - a.apply(r.matches[i].fixed);
    fit_sum += e.dot(e);
  }
  EXPECT_LE(std::sqrt(fit_sum / double(r.matches.size())), 1.0)
      << "matches RMS " << match_rms << " mm";
}

TEST(LandmarkMatcher, ScansFarApartAreMatchedAlongTheShiftTheyAgreeOn) {
  // The same scan with its grid 60 mm further left: beyond the 40 mm search radius.
  const Image<float> fixed = test::structured_scan(9);
  Image<float> moving = fixed;
  Geometry g = moving.geometry();
  g.origin.x += 60.0;
  moving.set_geometry(g);
  const MatchResult r = match_landmarks(fixed, moving, nullptr, nullptr);
  EXPECT_NEAR(r.prior_shift.x, 60.0, 1.0);
  EXPECT_NEAR(r.prior_shift.y, 0.0, 1.0);
  ASSERT_GE(r.matches.size(), 20u) << r.message;
  for (const LandmarkMatch& m : r.matches)
    EXPECT_LE((m.moving - (m.fixed + Vec3d{60.0, 0, 0})).norm(), 0.5);
  // Scans already close keep the search where it is.
  EXPECT_EQ(match_landmarks(fixed, fixed, nullptr, nullptr).prior_shift, (Vec3d{0, 0, 0}));
}

TEST(LandmarkMatcher, TheResultDoesNotDependOnTheThreadCount) {
  const Image<float> fixed = test::structured_scan(7);
  const Image<float> moving = moved(fixed, known_affine());
  set_thread_count(1);
  const MatchResult one = match_landmarks(fixed, moving, nullptr, nullptr);
  set_thread_count(2);
  const MatchResult two = match_landmarks(fixed, moving, nullptr, nullptr);
  set_thread_count(0);
  ASSERT_EQ(one.matches.size(), two.matches.size());
  for (std::size_t i = 0; i < one.matches.size(); ++i) {
    EXPECT_EQ(one.matches[i].fixed, two.matches[i].fixed);
    EXPECT_EQ(one.matches[i].moving, two.matches[i].moving);
  }
}

TEST(LandmarkMatcher, LabelsThatDisagreeDiscardThePair) {
  const Image<float> scan = test::structured_scan(3);
  // The fixed labels say 1 everywhere, the moving ones 2: no pair can agree.
  LabelMap fixed_labels(scan.geometry(), 1), moving_labels(scan.geometry(), 2);
  const MatchResult r = match_landmarks(scan, scan, &fixed_labels, &moving_labels);
  EXPECT_TRUE(r.matches.empty());
  EXPECT_GT(r.counts.label_disagreement, 0u);
  EXPECT_NE(r.message.find("disagreeing labels"), std::string::npos) << r.message;
  // Agreeing labels keep them and record the label.
  const MatchResult same = match_landmarks(scan, scan, &fixed_labels, &fixed_labels);
  ASSERT_FALSE(same.matches.empty());
  EXPECT_EQ(same.matches.front().fixed_label, 1);
  EXPECT_EQ(same.counts.label_disagreement, 0u);
}

TEST(LandmarkMatcher, AScanWithoutStructureGivesNoMatchesAndSaysWhy) {
  const Image<float> scan = test::structured_scan(3);
  const Image<float> flat(scan.geometry(), 40.0f);
  const MatchResult r = match_landmarks(flat, scan, nullptr, nullptr);
  EXPECT_TRUE(r.matches.empty());
  EXPECT_NE(r.message.find("fixed scan shows no structure"), std::string::npos) << r.message;
  const MatchResult m = match_landmarks(scan, flat, nullptr, nullptr);
  EXPECT_NE(m.message.find("moving scan shows no structure"), std::string::npos) << m.message;
}

TEST(LandmarkMatcher, ScansThatDoNotOverlapGiveNoMatchesAndSayWhy) {
  const Image<float> scan = test::structured_scan(3);
  Image<float> far = scan;
  Geometry g = far.geometry();
  g.origin.z += 1000.0;
  far.set_geometry(g);
  const MatchResult r = match_landmarks(scan, far, nullptr, nullptr);
  EXPECT_TRUE(r.matches.empty());
  EXPECT_NE(r.message.find("do not overlap"), std::string::npos) << r.message;
}

}  // namespace
}  // namespace modir::landmarks
