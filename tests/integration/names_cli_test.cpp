// `modir names` on a real structure set and on an edited table.

#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace modir {
namespace {

using test::quoted;
using test::run_modir;

TEST(NamesCli, EveryRoiOfARealStructureSetIsClassifiedWithAReason) {
  const auto r = run_modir("names --json --rtstruct " +
                           quoted(test::shared_data() / "dicom_rt/visible_human_male_aria/"
                                                        "RS_Body_SpinalCord.dcm"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["name"], "BODY");
  EXPECT_EQ(j[0]["organ"], "body");
  EXPECT_EQ(j[1]["name"], "SpinalCord");
  EXPECT_TRUE(j[1]["organ"].is_null());
  EXPECT_FALSE(j[1]["reason"].get<std::string>().empty());
}

TEST(NamesCli, TheExportedTableCanBeEditedAndBadTablesAreErrors) {
  test::TempDir dir;
  ASSERT_EQ(run_modir("names --export " + quoted(dir / "t.json")).exit_code, 0);
  nlohmann::json table;
  std::ifstream(dir / "t.json") >> table;
  table["classes"]["bladder"].push_back("Blase_Custom");
  std::ofstream(dir / "t2.json") << table.dump();
  const auto r = run_modir("names --json --names-table " + quoted(dir / "t2.json") +
                           " blase-custom PTV_Blase_Custom");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j[0]["organ"], "bladder");
  EXPECT_TRUE(j[1]["organ"].is_null());
  std::ofstream(dir / "bad.json") << "{\"classes\": []";
  const auto bad = run_modir("names --names-table " + quoted(dir / "bad.json") + " Bladder");
  EXPECT_EQ(bad.exit_code, 1) << bad.err;
  EXPECT_NE(bad.err.find("bad.json"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace modir
