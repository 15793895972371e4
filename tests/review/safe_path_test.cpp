// resolve_inside: what `modir review` may read of a folder, whatever a request names.

#include "modir/review/safe_path.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/test_support.h"

namespace modir::review {
namespace {

namespace fs = std::filesystem;

class SafePath : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.path() / "result";
    fs::create_directories(root_ / "solutions");
    std::ofstream(root_ / "report.json") << "{}";
    std::ofstream(root_ / "solutions" / "solution_00.json") << "{}";
    std::ofstream(dir_.path() / "secret.txt") << "secret";
  }
  std::optional<fs::path> resolve(const std::string& relative) {
    why_.clear();
    return resolve_inside(root_, relative, &why_);
  }
  test::TempDir dir_;
  fs::path root_;
  std::string why_;
};

TEST_F(SafePath, FilesInsideTheFolderAreFound) {
  EXPECT_EQ(resolve("report.json"), fs::canonical(root_ / "report.json"));
  EXPECT_EQ(resolve("solutions/solution_00.json"),
            fs::canonical(root_ / "solutions" / "solution_00.json"));
}

TEST_F(SafePath, DotSegmentsAbsolutePathsAndOddCharactersAreRefused) {
  const std::string cases[] = {"../secret.txt",
                               "solutions/../../secret.txt",
                               "./report.json",
                               "solutions//solution_00.json",
                               "/etc/passwd",
                               "",
                               "..",
                               "report.json/",
                               "..\\\\secret.txt",
                               std::string("report.json\0x", 13)};
  for (const std::string& bad : cases) {
    EXPECT_FALSE(resolve(bad)) << bad;
    EXPECT_FALSE(why_.empty()) << bad;
  }
}

TEST_F(SafePath, FoldersAndMissingFilesAreRefused) {
  EXPECT_FALSE(resolve("solutions"));
  EXPECT_EQ(why_, "not a regular file");
  EXPECT_FALSE(resolve("missing.json"));
  EXPECT_EQ(why_, "no such file");
}

TEST_F(SafePath, LinksAreFollowedButMayNotLeaveTheFolder) {
  fs::create_symlink(dir_.path() / "secret.txt", root_ / "leak.txt");
  fs::create_directory_symlink(dir_.path(), root_ / "up");
  fs::create_symlink("report.json", root_ / "alias.json");
  EXPECT_FALSE(resolve("leak.txt"));
  EXPECT_EQ(why_, "outside the folder");
  EXPECT_FALSE(resolve("up/secret.txt"));
  EXPECT_EQ(why_, "outside the folder");
  EXPECT_EQ(resolve("alias.json"), fs::canonical(root_ / "report.json"));
}

TEST_F(SafePath, ASiblingWhoseNameStartsLikeTheFolderIsOutside) {
  // "result-other" shares the prefix "result" as a string, not as a path.
  fs::create_directories(dir_.path() / "result-other");
  std::ofstream(dir_.path() / "result-other" / "x.json") << "{}";
  fs::create_symlink(dir_.path() / "result-other" / "x.json", root_ / "x.json");
  EXPECT_FALSE(resolve("x.json"));
  EXPECT_EQ(why_, "outside the folder");
}

}  // namespace
}  // namespace modir::review
