// OutputFolder: a run's outputs land in an existing folder all at once, or not at all.

#include "modir/io/output_folder.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "support/test_support.h"

namespace modir::io {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class StagedOutputFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    out_ = dir_ / "result";
    fs::create_directories(out_ / "solutions");
    std::ofstream(out_ / "report.json") << "old report";
    std::ofstream(out_ / "solutions" / "solution_07.json") << "old solution";
    std::ofstream(out_ / "notes.txt") << "notes";
  }
  void write_new_outputs(const fs::path& where) {
    fs::create_directories(where / "solutions");
    std::ofstream(where / "report.json") << "new report";
    std::ofstream(where / "solutions" / "solution_00.json") << "new solution";
  }
  test::TempDir dir_;
  fs::path out_;
};

TEST_F(StagedOutputFolder, ARunThatDoesNotFinishLeavesTheFolderAsItWas) {
  {
    OutputFolder folder(out_, true);
    EXPECT_NE(folder.write_path(), out_);
    EXPECT_EQ(folder.write_path().parent_path(), out_);
    write_new_outputs(folder.write_path());
    // an error now: the folder object goes without finish()
  }
  EXPECT_EQ(read(out_ / "report.json"), "old report");
  EXPECT_EQ(read(out_ / "solutions" / "solution_07.json"), "old solution");
  EXPECT_FALSE(fs::exists(out_ / "solutions" / "solution_00.json"));
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(out_)) ++entries;
  EXPECT_EQ(entries, 3u);  // report.json, solutions, notes.txt: no staging folder, no lock
}

TEST_F(StagedOutputFolder, AFinishedRunReplacesWhatItWroteAndKeepsTheRest) {
  {
    OutputFolder folder(out_, true);
    write_new_outputs(folder.write_path());
    folder.finish();
  }
  EXPECT_EQ(read(out_ / "report.json"), "new report");
  // A folder of outputs is replaced whole: the old front's seventh solution does not linger.
  EXPECT_EQ(read(out_ / "solutions" / "solution_00.json"), "new solution");
  EXPECT_FALSE(fs::exists(out_ / "solutions" / "solution_07.json"));
  EXPECT_EQ(read(out_ / "notes.txt"), "notes");
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(out_)) ++entries;
  EXPECT_EQ(entries, 3u);
}

TEST_F(StagedOutputFolder, ANewFolderIsWrittenDirectly) {
  const fs::path fresh = dir_ / "fresh";
  {
    OutputFolder folder(fresh, true);
    EXPECT_EQ(folder.write_path(), fresh);
    std::ofstream(folder.write_path() / "report.json") << "report";
    folder.finish();
  }
  EXPECT_EQ(read(fresh / "report.json"), "report");
}

}  // namespace
}  // namespace modir::io
