// What `modir review` shows of a result folder: its inputs found and checked, and the volumes
// derived for the page (difference, checkerboard, folded voxels, displacement magnitude) with
// known answers on a small hand-made folder.

#include "modir/review/review_volumes.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "modir/core/sha256.h"
#include "modir/io/image_io.h"
#include "modir/review/manifest.h"
#include "modir/transform/warp.h"
#include "support/test_support.h"

namespace modir::review {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Geometry grid() {
  Geometry g;
  g.size = {6, 4, 3};
  g.spacing = {10.0, 10.0, 10.0};
  return g;
}

class ReviewVolumes : public ::testing::Test {
 protected:
  void SetUp() override {
    const Geometry g = grid();
    Image<float> fixed(g), warped(g), jacobian(g, 1.0f);
    DisplacementField u(g);
    LabelMap labels(g);
    for (std::int64_t v = 0; v < fixed.voxel_count(); ++v) {
      fixed.data()[v] = static_cast<float>(v);
      warped.data()[v] = static_cast<float>(1000 + 2 * v);
      u.data()[v] = {3.0f, 4.0f, static_cast<float>(v % 2)};
      labels.data()[v] = v % 3 == 0 ? 2 : 0;
    }
    jacobian(1, 1, 1) = -0.2f;
    jacobian(2, 1, 1) = 0.0f;
    io::write_image(fixed, dir_ / "fixed.nii.gz");
    io::write_image(labels, dir_ / "fixed_labels.nii.gz");
    fs::create_directories(dir_ / "result");
    io::write_image(convert_pixels<std::int16_t>(warped), dir_ / "result" / "warped.nii.gz");
    io::write_image(labels, dir_ / "result" / "warped_labels.nii.gz");
    io::write_image(jacobian, dir_ / "result" / "jacobian.nii.gz");
    io::write_displacement_field(u, dir_ / "result" / "displacement.nii.gz");
    write_report(sha256_of_path(dir_ / "fixed.nii.gz"));
  }

  void write_report(const std::string& fixed_sha) {
    const json report = {
        {"command", "register"},
        {"inputs",
         {{"fixed", {{"path", (dir_ / "fixed.nii.gz").string()}, {"sha256", fixed_sha}}},
          {"moving", {{"path", (dir_ / "gone.nii.gz").string()}, {"sha256", "0"}}},
          {"fixed_labels",
           {{"path", (dir_ / "fixed_labels.nii.gz").string()},
            {"sha256", sha256_of_path(dir_ / "fixed_labels.nii.gz")}}}}},
        {"jacobian", {{"min", -0.2}, {"max", 1.0}, {"folded_voxels", 2}}}};
    std::ofstream(dir_ / "result" / "report.json") << report.dump();
  }

  // A volume as the page receives it, read back.
  AnyImage served(VolumeSource& source, const std::string& id) {
    const auto bytes = source.nifti(id, std::nullopt);
    const fs::path file = dir_ / ("served_" + id + ".nii");
    std::ofstream(file, std::ios::binary) << *bytes;
    return io::read_image(file);
  }

  test::TempDir dir_;
  test::TempDir scratch_;
};

TEST_F(ReviewVolumes, DerivedVolumesHaveTheirKnownValues) {
  const ReviewFolder folder = open_review_folder(dir_ / "result");
  VolumeSource source(folder, scratch_.path());

  const auto difference = convert_pixels<float>(served(source, "difference"));
  for (std::int64_t v = 0; v < difference.voxel_count(); ++v)
    ASSERT_FLOAT_EQ(difference.data()[v], static_cast<float>(1000 + v)) << v;

  // 20 mm squares on a 10 mm grid: two voxels per square along every axis.
  const auto board = convert_pixels<float>(served(source, "checkerboard"));
  const auto fixed_at = [&](int x, int y, int z) {
    return static_cast<float>(x + 6 * (y + 4 * z));
  };
  EXPECT_FLOAT_EQ(board(0, 0, 0), fixed_at(0, 0, 0));
  EXPECT_FLOAT_EQ(board(1, 1, 1), fixed_at(1, 1, 1));
  EXPECT_FLOAT_EQ(board(2, 0, 0), 1000 + 2 * fixed_at(2, 0, 0));
  EXPECT_FLOAT_EQ(board(2, 2, 0), fixed_at(2, 2, 0));
  EXPECT_FLOAT_EQ(board(0, 0, 2), 1000 + 2 * fixed_at(0, 0, 2));

  const auto folded = convert_pixels<std::uint8_t>(served(source, "folded"));
  std::int64_t count = 0;
  for (const auto v : folded.buffer()) count += v;
  EXPECT_EQ(count, 2);
  EXPECT_EQ(folded(1, 1, 1), 1);
  EXPECT_EQ(folded(2, 1, 1), 1);  // a determinant of exactly 0 is folded too

  const auto magnitude = convert_pixels<float>(served(source, "displacement_magnitude"));
  EXPECT_FLOAT_EQ(magnitude(0, 0, 0), 5.0f);
  EXPECT_FLOAT_EQ(magnitude(1, 0, 0), std::sqrt(26.0f));
}

TEST_F(ReviewVolumes, LabelMapsTravelAsBytesAndKeepTheirGrid) {
  const ReviewFolder folder = open_review_folder(dir_ / "result");
  VolumeSource source(folder, scratch_.path());
  const AnyImage labels = served(source, "warped_labels");
  ASSERT_TRUE(std::holds_alternative<Image<std::uint8_t>>(labels));
  const auto& bytes = std::get<Image<std::uint8_t>>(labels);
  EXPECT_TRUE(bytes.geometry().same_grid(grid()));
  EXPECT_EQ(bytes(0, 0, 0), 2);
  EXPECT_EQ(bytes(1, 0, 0), 0);
  EXPECT_EQ(source.label_values("warped_labels"), (std::set<std::uint16_t>{2}));
  EXPECT_EQ(source.label_values("fixed_labels"), (std::set<std::uint16_t>{2}));
  EXPECT_TRUE(source.label_values("moving_labels").empty());
}

TEST_F(ReviewVolumes, MissingOrChangedInputsAreUnavailableWithTheReason) {
  {
    const ReviewFolder folder = open_review_folder(dir_ / "result");
    EXPECT_EQ(folder.unavailable.at("moving"), "not found where the run recorded it");
    VolumeSource source(folder, scratch_.path());
    const json manifest = folder_manifest(folder, source);
    EXPECT_FALSE(manifest["volumes"]["moving"]["available"].get<bool>());
    EXPECT_TRUE(manifest["volumes"]["fixed"]["available"].get<bool>());
    EXPECT_TRUE(manifest["volumes"]["checkerboard"]["available"].get<bool>());
    EXPECT_EQ(manifest["kind"], "registration");
    EXPECT_EQ(manifest.dump().find(dir_.path().string()), std::string::npos)
        << "the manifest must not carry file paths";
    const Error e = test::error_of([&] { source.nifti("moving", std::nullopt); });
    EXPECT_NE(std::string(e.what()).find("not found where the run recorded it"), std::string::npos);
  }
  write_report(std::string(64, '0'));  // the fixed scan no longer matches the record
  const ReviewFolder folder = open_review_folder(dir_ / "result");
  EXPECT_EQ(folder.unavailable.at("fixed"), "changed since the run (sha256 differs)");
  VolumeSource source(folder, scratch_.path());
  EXPECT_TRUE(source.unavailable_reason("difference").has_value());
  EXPECT_THROW(source.nifti("difference", std::nullopt), Error);
  EXPECT_THROW(source.nifti("passwd", std::nullopt), Error);
  EXPECT_THROW(source.nifti("warped", 0), Error);  // no front, no solution 0
}

TEST_F(ReviewVolumes, FoldersOtherThanARegistrationAreRefused) {
  EXPECT_THROW(open_review_folder(dir_ / "nowhere"), Error);
  EXPECT_THROW(open_review_folder(dir_.path()), Error);  // no report.json
  std::ofstream(dir_ / "result" / "report.json") << R"({"command": "segment predict"})";
  const Error e = test::error_of([&] { open_review_folder(dir_ / "result"); });
  EXPECT_NE(std::string(e.what()).find("'modir segment predict'"), std::string::npos) << e.what();
}

TEST_F(ReviewVolumes, APropagationShowsTheDailyScanItsOrgansAndTheStructures) {
  // What `modir propagate` leaves: the daily scan is fixed, the planning scan moving, the
  // structures in labels.nii.gz (named by labels.json), the model's organs in daily_organs.
  const fs::path out = dir_ / "propagated";
  fs::create_directories(out);
  fs::copy_file(dir_ / "result" / "displacement.nii.gz", out / "displacement.nii.gz");
  fs::copy_file(dir_ / "fixed_labels.nii.gz", out / "labels.nii.gz");
  fs::copy_file(dir_ / "fixed_labels.nii.gz", out / "daily_organs.nii.gz");
  io::write_image(convert_pixels<std::int16_t>(io::read_image_as<float>(dir_ / "fixed.nii.gz")),
                  dir_ / "planning.nii.gz");
  std::ofstream(out / "labels.json")
      << R"({"labels": [{"value": 2, "name": "Blase", "color": [10, 20, 30]}]})";
  const json report = {
      {"command", "propagate"},
      {"daily", (dir_ / "fixed.nii.gz").string()},
      {"planning", (dir_ / "planning.nii.gz").string()},
      {"inputs",
       {{"daily", {{"path", (dir_ / "fixed.nii.gz").string()},
                   {"sha256", sha256_of_path(dir_ / "fixed.nii.gz")}}},
        {"planning", {{"path", (dir_ / "planning.nii.gz").string()}, {"sha256", "changed"}}}}}};
  std::ofstream(out / "report.json") << report.dump();

  ReviewFolder folder = open_review_folder(out);
  EXPECT_EQ(folder.kind, FolderKind::kPropagation);
  EXPECT_FALSE(folder.front);
  EXPECT_EQ(folder.unavailable.at("moving"), "changed since the run (sha256 differs)");
  {
    VolumeSource source(folder, scratch_.path());
    EXPECT_TRUE(source.unavailable_reason("warped").has_value());  // needs the planning scan
    EXPECT_FALSE(source.unavailable_reason("jacobian").has_value());  // from the displacement
    const json manifest = folder_manifest(folder, source);
    EXPECT_EQ(manifest["kind"], "propagation");
    EXPECT_EQ(manifest["label_sets"]["warped_labels"][0]["name"], "Blase");
    EXPECT_EQ(manifest["label_sets"]["warped_labels"][0]["colour"], json({10, 20, 30}));
  }
  // With the planning scan as recorded, the warped scan is computed from the displacement.
  folder.sources["moving"] = dir_ / "planning.nii.gz";
  folder.unavailable.erase("moving");
  VolumeSource source(folder, scratch_.path());
  const auto warped = convert_pixels<float>(served(source, "warped"));
  Image<float> expected;
  transform::warp_linear(io::read_image_as<float>(dir_ / "planning.nii.gz"),
                         io::read_displacement_field(out / "displacement.nii.gz"), expected);
  ASSERT_TRUE(warped.geometry().same_grid(expected.geometry()));
  for (std::int64_t v = 0; v < warped.voxel_count(); ++v)
    ASSERT_FLOAT_EQ(warped.data()[v], expected.data()[v]) << v;
  const auto jacobian = convert_pixels<float>(served(source, "jacobian"));
  EXPECT_TRUE(jacobian.geometry().same_grid(grid()));
}

}  // namespace
}  // namespace modir::review
