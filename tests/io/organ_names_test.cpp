#include "modir/io/organ_names.h"

#include <gtest/gtest.h>

#include <fstream>

#include "modir/core/error.h"
#include "support/test_support.h"

namespace modir::io {
namespace {

std::string organ_of(const std::string& name) {
  const OrganNameMatch m = match_organ_name(name, default_organ_names());
  return m.organ_class.value_or("-");
}

TEST(OrganNames, ClinicalVariantsAndOtherLanguagesMatch) {
  EXPECT_EQ(organ_of("Bladder"), "bladder");
  EXPECT_EQ(organ_of("BLADDER"), "bladder");
  EXPECT_EQ(organ_of("Blaas"), "bladder");
  EXPECT_EQ(organ_of("Harnblase"), "bladder");
  EXPECT_EQ(organ_of("Vessie"), "bladder");
  EXPECT_EQ(organ_of("Rectum"), "rectum");
  EXPECT_EQ(organ_of("rectum_1"), "rectum");
  EXPECT_EQ(organ_of("Rectum2"), "rectum");
  EXPECT_EQ(organ_of("Endeldarm"), "rectum");
  EXPECT_EQ(organ_of("Femur_Head_L"), "femoral_heads");
  EXPECT_EQ(organ_of("Femur Head R"), "femoral_heads");
  EXPECT_EQ(organ_of("FemoralHead_Lt"), "femoral_heads");
  EXPECT_EQ(organ_of("Lt Femoral Head"), "femoral_heads");
  EXPECT_EQ(organ_of("Hüftkopf links"), "femoral_heads");
  EXPECT_EQ(organ_of("Tête fémorale droite"), "femoral_heads");
  EXPECT_EQ(organ_of("Bowel_Bag"), "bowel");
  EXPECT_EQ(organ_of("Colon_Sigmoid"), "bowel");
  EXPECT_EQ(organ_of("Prostate"), "uterus_prostate");
  EXPECT_EQ(organ_of("Uterus"), "uterus_prostate");
  EXPECT_EQ(organ_of("uterus_prostate"), "uterus_prostate");  // a class's own name
  EXPECT_EQ(organ_of("BODY"), "body");
  EXPECT_EQ(organ_of("External"), "body");
  EXPECT_EQ(organ_of("Bone_Pelvic"), "bone");
}

// Target and helper volumes named after an organ must never guide as that organ.
TEST(OrganNames, TargetAndHelperVolumesNeverMatch) {
  for (const char* name : {"PTV_Prostate", "CTV Prostate", "GTV_Bladder", "Bladder_PRV",
                           "Rectum PRV05", "zBladder", "z_Rectum", "opt_Bowel", "Ring_PTV",
                           "Rectum_wall", "PTVprostate", "SpinalCord", "Couch", ""}) {
    const OrganNameMatch m = match_organ_name(name, default_organ_names());
    EXPECT_FALSE(m.organ_class.has_value()) << name << " -> " << *m.organ_class;
    EXPECT_FALSE(m.reason.empty()) << name;
  }
}

TEST(OrganNames, AnEditedTableIsReadAndCheckedForConflicts) {
  test::TempDir dir;
  std::ofstream(dir / "table.json") << R"({"ignore_first_words": ["z"], "ignore_words": ["ptv"],
    "side_words": ["l", "r"], "classes": {"bladder": ["Bl_Custom"], "rectum": ["Rect X"]}})";
  const OrganNameTable table = read_organ_names(dir / "table.json");
  EXPECT_EQ(match_organ_name("BL custom", table).organ_class.value_or("-"), "bladder");
  EXPECT_EQ(match_organ_name("rect-x_L", table).organ_class.value_or("-"), "rectum");
  EXPECT_EQ(match_organ_name("Bladder", table).organ_class.value_or("-"), "bladder");  // own name
  EXPECT_FALSE(match_organ_name("Blaas", table).organ_class.has_value());  // not in this table

  std::ofstream(dir / "clash.json") << R"({"ignore_first_words": [], "ignore_words": [],
    "side_words": [], "classes": {"bladder": ["x"], "rectum": ["X"]}})";
  EXPECT_THROW(read_organ_names(dir / "clash.json"), Error);
  std::ofstream(dir / "bad.json") << R"({"classes": 3})";
  EXPECT_THROW(read_organ_names(dir / "bad.json"), Error);
}

}  // namespace
}  // namespace modir::io
