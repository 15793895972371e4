// Picking a solution of a front by a clinician's rules, now in the library: the knee, the
// smallest objective under limits, a named index, and what is said when nothing fits.

#include <gtest/gtest.h>

#include "modir/register/front_pick.h"
#include "support/test_support.h"

namespace modir::reg {
namespace {

// Three solutions over (image, guidance): a trade-off, knee at 1.
Front small_front() {
  Front f;
  f.objectives = {"image", "guidance"};
  f.knee = 1;
  const double values[3][2] = {{0.10, 3.0}, {0.20, 1.5}, {0.40, 0.8}};
  for (const auto& v : values) {
    FrontEntry e;
    e.objectives = {v[0], v[1]};
    f.solutions.push_back(e);
  }
  return f;
}

TEST(FrontPick, TheKneeIsTheDefault) {
  const PickOutcome o = pick_solution(small_front(), PickRules{});
  ASSERT_TRUE(o.chosen);
  EXPECT_EQ(*o.chosen, 1u);
}

TEST(FrontPick, SmallestObjectiveUnderALimit) {
  PickRules rules;
  rules.minimise = "image";
  rules.max_guidance = 2.0;
  const PickOutcome o = pick_solution(small_front(), rules);
  ASSERT_TRUE(o.chosen);
  EXPECT_EQ(*o.chosen, 1u);  // 0 has the smallest image term but misses the guidance limit
  EXPECT_EQ(o.meeting, (std::vector<std::size_t>{1, 2}));
}

TEST(FrontPick, NothingFitsSaysWhichComesClosestAndByHowMuch) {
  PickRules rules;
  rules.minimise = "image";
  rules.max_guidance = 0.5;
  const PickOutcome o = pick_solution(small_front(), rules);
  EXPECT_FALSE(o.chosen);
  ASSERT_TRUE(o.closest);
  EXPECT_EQ(*o.closest, 2u);
  EXPECT_NE(o.reason.find("--max-guidance"), std::string::npos) << o.reason;
}

TEST(FrontPick, AnIndexIsTakenWhenItMeetsTheLimits) {
  PickRules rules;
  rules.index = 2;
  const PickOutcome o = pick_solution(small_front(), rules);
  ASSERT_TRUE(o.chosen);
  EXPECT_EQ(*o.chosen, 2u);
  // Contradicting rules are a usage error.
  rules.knee = true;
  EXPECT_EQ(test::error_of([&] { check_rules(rules, small_front()); }).kind(), ErrorKind::kUsage);
}

}  // namespace
}  // namespace modir::reg
