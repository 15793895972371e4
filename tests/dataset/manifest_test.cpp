#include "modir/dataset/manifest.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/test_support.h"

namespace modir::dataset {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

TEST(Manifest, ResolvesPathsAgainstItsFolder) {
  test::TempDir dir;
  write(dir / "data/P1/a.nii.gz", "x");
  write(dir / "data/P1/a_labels.nii.gz", "x");
  write(dir / "data/manifest.csv",
        "scan_id,patient_id,site,image,labels\n"
        "S0, P1 ,\"Leeds, UK\",P1/a.nii.gz,P1/a_labels.nii.gz\n"
        "\n"
        "S1,P1,x," +
            (dir / "data/P1/a.nii.gz").string() + ",\n");
  const Manifest m = read_manifest(dir / "data/manifest.csv");
  ASSERT_EQ(m.scans.size(), 2u);
  EXPECT_EQ(m.scans[0].patient_id, "P1");
  EXPECT_EQ(m.scans[0].scan_id, "S0");
  EXPECT_EQ(m.scans[0].image, dir / "data" / "P1/a.nii.gz");
  EXPECT_EQ(m.scans[0].labels, dir / "data" / "P1/a_labels.nii.gz");
  EXPECT_EQ(m.scans[1].image, dir / "data/P1/a.nii.gz");  // absolute kept
  EXPECT_TRUE(m.scans[1].labels.empty());
  EXPECT_EQ(m.scans[1].line, 4);
}

TEST(Manifest, MissingColumnsAreNamed) {
  test::TempDir dir;
  write(dir / "m.csv", "patient,scan_id,image\nP1,S0,a.nii.gz\n");
  const Error e = test::error_of([&] { read_manifest(dir / "m.csv"); });
  EXPECT_EQ(e.kind(), ErrorKind::kData);
  const std::string message = e.what();
  EXPECT_NE(message.find("patient_id, labels"), std::string::npos) << message;
  EXPECT_NE(message.find("patient,scan_id,image"), std::string::npos) << message;
}

TEST(Manifest, MissingFilesAreListedWithTheirLines) {
  test::TempDir dir;
  write(dir / "m.csv", "patient_id,scan_id,image,labels\nP1,S0,gone.nii.gz,\n");
  const std::string message = test::error_of([&] { read_manifest(dir / "m.csv"); }).what();
  EXPECT_NE(message.find("gone.nii.gz (line 2)"), std::string::npos) << message;
  EXPECT_NO_THROW(read_manifest(dir / "m.csv", /*check_files=*/false));
}

TEST(Manifest, BadRowsAreErrors) {
  test::TempDir dir;
  write(dir / "a.csv", "patient_id,scan_id,image,labels\nP1,S0,a\n");
  EXPECT_NE(std::string(test::error_of([&] { read_manifest(dir / "a.csv", false); }).what())
                .find("line 2 has 3 field(s)"),
            std::string::npos);
  write(dir / "b.csv", "patient_id,scan_id,image,labels\nP1,S0,a,\nP1,S0,b,\n");
  EXPECT_NE(std::string(test::error_of([&] { read_manifest(dir / "b.csv", false); }).what())
                .find("listed already on line 2"),
            std::string::npos);
  write(dir / "c.csv", "patient_id,scan_id,image,labels\n");
  EXPECT_THROW(read_manifest(dir / "c.csv", false), Error);
  EXPECT_THROW(read_manifest(dir / "none.csv", false), Error);
}

}  // namespace
}  // namespace modir::dataset
