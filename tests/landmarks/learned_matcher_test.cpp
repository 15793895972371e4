// The learned landmark method with the shipped model (models/landmarks): the same checks as the
// classical matcher's on scans whose correspondence is known exactly, and its refusals.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "known_motion.h"
#include "modir/core/error.h"
#include "modir/landmarks/matcher.h"
#include "support/test_support.h"
#include "synthetic_scan.h"

namespace modir::landmarks {
namespace {

namespace fs = std::filesystem;

MatchOptions learned() {
  MatchOptions o;
  o.method = MatchMethod::kLearned;
  return o;
}

TEST(LearnedMatcher, IdenticalScansMatchEveryPointToItself) {
  const Image<float> scan = test::structured_scan(3);
  test::expect_matched_to_themselves(match_landmarks(scan, scan, nullptr, nullptr, learned()));
}

TEST(LearnedMatcher, AKnownAffineMotionIsRecoveredFromTheMatches) {
  const Image<float> fixed = test::structured_scan(5);
  const test::Affine a = test::known_affine();
  const Image<float> moving = test::moved(fixed, a);
  const MatchResult r = match_landmarks(fixed, moving, nullptr, nullptr, learned());
  ASSERT_GE(r.matches.size(), 40u) << r.message;
  const test::MotionErrors e = test::errors_against(r.matches, a);
  EXPECT_LE(e.match_rms, 1.5);
  EXPECT_LE(e.fit_rms, 1.0) << "matches RMS " << e.match_rms << " mm";
}

// The network's 16 values find the right structure; MIND-SSC, sampled around the point, places
// the pair on it (MatchOptions::polish_radius_mm).
TEST(LearnedMatcher, PolishingOnMindSscPlacesThePairsCloserToTheTrueMotion) {
  const Image<float> fixed = test::structured_scan(5);
  const test::Affine a = test::known_affine();
  const Image<float> moving = test::moved(fixed, a);
  MatchOptions unpolished = learned();
  unpolished.polish_radius_mm = 0.0;
  const MatchResult rough = match_landmarks(fixed, moving, nullptr, nullptr, unpolished);
  const MatchResult polished = match_landmarks(fixed, moving, nullptr, nullptr, learned());
  ASSERT_GE(rough.matches.size(), 40u) << rough.message;
  ASSERT_GE(polished.matches.size(), 40u) << polished.message;
  const double before = test::errors_against(rough.matches, a).match_rms;
  const double after = test::errors_against(polished.matches, a).match_rms;
  std::printf("pairs %zu -> %zu, RMS error %.3f -> %.3f mm\n", rough.matches.size(),
              polished.matches.size(), before, after);
  EXPECT_LT(after, 0.8 * before);
}

TEST(LearnedMatcher, AScanWithoutStructureGivesNoMatchesAndSaysWhy) {
  const Image<float> scan = test::structured_scan(3);
  const Image<float> flat(scan.geometry(), 40.0f);
  const MatchResult r = match_landmarks(scan, flat, nullptr, nullptr, learned());
  EXPECT_TRUE(r.matches.empty());
  EXPECT_FALSE(r.message.empty());
}

TEST(LearnedMatcher, AFolderWithoutAModelIsAClearError) {
  const test::TempDir dir;
  MatchOptions o = learned();
  o.learned_model = dir.path();
  const Image<float> scan = test::structured_scan(3);
  EXPECT_THROW(
      {
        try {
          match_landmarks(scan, scan, nullptr, nullptr, o);
        } catch (const Error& e) {
          EXPECT_NE(std::string(e.what()).find("not a landmark model folder"), std::string::npos)
              << e.what();
          throw;
        }
      },
      Error);
  // Weights that are not LibTorch's: named in the error, no crash.
  fs::copy_file(fs::path(MODIR_SOURCE_DIR) / "models/landmarks/landmark_network.json",
                dir.path() / "landmark_network.json");
  std::ofstream(dir.path() / "weights.pt") << "not a weights file";
  EXPECT_THROW(match_landmarks(scan, scan, nullptr, nullptr, o), Error);
}

TEST(LearnedMatcher, TheMethodIsParsedByName) {
  EXPECT_EQ(parse_match_method("learned"), MatchMethod::kLearned);
  EXPECT_EQ(parse_match_method("classical"), MatchMethod::kClassical);
  EXPECT_THROW(parse_match_method("deep"), Error);
}

}  // namespace
}  // namespace modir::landmarks
