// The classical landmark matcher on scans whose correspondence is known exactly: a scan with
// itself, and a scan with a copy of itself under a known affine motion.

#include <gtest/gtest.h>

#include <Eigen/Dense>

#include "known_motion.h"
#include "modir/core/parallel.h"
#include "modir/filter/resample.h"
#include "modir/landmarks/matcher.h"
#include "synthetic_scan.h"

namespace modir::landmarks {
namespace {

using test::Affine;
using test::known_affine;
using test::moved;

TEST(LandmarkMatcher, IdenticalScansMatchEveryPointToItself) {
  const Image<float> scan = test::structured_scan(3);
  test::expect_matched_to_themselves(match_landmarks(scan, scan, nullptr, nullptr));
}

TEST(LandmarkMatcher, AKnownAffineMotionIsRecoveredFromTheMatches) {
  const Image<float> fixed = test::structured_scan(5);
  const Affine a = known_affine();
  const Image<float> moving = moved(fixed, a);
  const MatchResult r = match_landmarks(fixed, moving, nullptr, nullptr);
  ASSERT_GE(r.matches.size(), 40u) << r.message;
  const test::MotionErrors e = test::errors_against(r.matches, a);
  EXPECT_LE(e.match_rms, 1.0);
  EXPECT_LE(e.fit_rms, 1.0) << "matches RMS " << e.match_rms << " mm";
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
