#include "modir/io/label_names.h"

#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "modir/core/error.h"
#include "support/test_support.h"

namespace modir::io {
namespace {

LabelNames named(std::initializer_list<std::pair<std::uint16_t, std::string>> entries) {
  LabelNames names;
  for (const auto& [value, name] : entries) names[value].name = name;
  return names;
}

void write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

TEST(LabelNames, ReadsSidecarArraysAndPhantomObjects) {
  test::TempDir dir;
  write(dir / "labels.json",
        R"({"labels": [{"value": 2, "name": "Bladder", "roi_number": 7, "color": [255, 255, 0],
             "interpreted_type": "ORGAN"}, {"value": 5, "name": "PTV"}]})");
  const LabelNames sidecar = read_label_names(dir / "labels.json");
  ASSERT_EQ(sidecar.size(), 2u);
  EXPECT_EQ(sidecar.at(2).name, "Bladder");
  EXPECT_EQ(sidecar.at(2).roi_number, 7);
  EXPECT_EQ(sidecar.at(2).color, (std::array<int, 3>{255, 255, 0}));
  EXPECT_EQ(sidecar.at(5).interpreted_type, "");
  EXPECT_FALSE(sidecar.at(5).color.has_value());

  write(dir / "meta.json", R"({"labels": {"0": "background", "1": "body", "3": "bladder"}})");
  const LabelNames meta = read_label_names(dir / "meta.json");
  EXPECT_EQ(meta.size(), 2u);  // background is not a label
  EXPECT_EQ(meta.at(3).name, "bladder");
}

TEST(LabelNames, FindsTheSidecarBeforeTheFoldersMetaJson) {
  test::TempDir dir;
  write(dir / "meta.json", R"({"labels": {"1": "body"}})");
  EXPECT_EQ(label_names_beside(dir / "labels.nii.gz")->path, dir / "meta.json");
  write(dir / "labels.json", R"({"labels": [{"value": 1, "name": "BODY"}]})");
  EXPECT_EQ(label_names_beside(dir / "labels.nii.gz")->path, dir / "labels.json");
  EXPECT_EQ(label_names_beside(dir / "labels.nii.gz")->names.at(1).name, "BODY");
  // A file of that name that is not a names file is passed over.
  write(dir / "other.json", R"({"something": 1})");
  write(dir / "meta.json", R"({"seed": 3})");
  EXPECT_FALSE(label_names_beside(dir / "other.nii.gz").has_value());
}

TEST(LabelNames, BadFilesAreDataErrorsNamingTheFile) {
  test::TempDir dir;
  write(dir / "a.json", "{not json");
  write(dir / "b.json", R"({"labels": [{"value": 70000, "name": "x"}]})");
  write(dir / "c.json", R"({"labels": 3})");
  for (const char* name : {"a.json", "b.json", "c.json"}) {
    const Error e = test::error_of([&] { read_label_names(dir / name); });
    EXPECT_EQ(e.kind(), ErrorKind::kData) << name;
    EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
  }
}

TEST(LabelNames, PairsByNameThenByOrganClass) {
  // modir's organ numbering against a planning system's structure order.
  const LabelNames modir = named({{1, "body"}, {3, "bladder"}, {4, "rectum"}, {7, "femoral_heads"}});
  const LabelNames planning =
      named({{1, "BODY"}, {2, "Blaas"}, {3, "Rectum"}, {4, "PTV_Prostate"}, {5, "Femur_Head_L"},
             {6, "Femur_Head_R"}});
  const LabelPairing p = pair_labels_by_name(modir, planning, default_organ_names());
  EXPECT_TRUE(p.renumbered);
  EXPECT_EQ(p.other_to_reference.at(1), 1);  // same spelling, case ignored
  EXPECT_EQ(p.other_to_reference.at(2), 3);  // Blaas is Dutch for bladder
  EXPECT_EQ(p.other_to_reference.at(3), 4);
  // A target volume is never an organ; two femoral heads against one label is ambiguous.
  EXPECT_EQ(p.other_to_reference.count(4), 0u);
  EXPECT_EQ(p.other_to_reference.count(5), 0u);
  EXPECT_EQ(p.other_to_reference.count(6), 0u);
  EXPECT_EQ(p.unpaired_other, (std::vector<std::uint16_t>{4, 5, 6}));
  EXPECT_EQ(p.unpaired_reference, (std::vector<std::uint16_t>{7}));
}

TEST(LabelNames, SidesStayApartAndEqualNumberingIsNotRenumbered) {
  const LabelNames a = named({{1, "Femur_Head_L"}, {2, "Femur_Head_R"}});
  const LabelNames b = named({{1, "femur head r"}, {2, "FEMUR-HEAD-L"}});
  const LabelPairing crossed = pair_labels_by_name(a, b, default_organ_names());
  EXPECT_EQ(crossed.other_to_reference.at(1), 2);
  EXPECT_EQ(crossed.other_to_reference.at(2), 1);
  EXPECT_TRUE(crossed.renumbered);
  const LabelPairing same = pair_labels_by_name(a, a, default_organ_names());
  EXPECT_FALSE(same.renumbered);
  EXPECT_TRUE(same.unpaired_other.empty());
}

TEST(LabelNames, RenumberingMapsValuesAndDropsTheUnlisted) {
  LabelMap labels(test::oblique_geometry({4, 1, 1}), 0);
  labels.buffer() = {0, 2, 5, 9};
  const LabelMap out = renumber_labels(labels, {{2, 3}, {5, 1}});
  EXPECT_EQ(out.buffer(), (std::vector<std::uint16_t>{0, 3, 1, 0}));
  EXPECT_TRUE(out.geometry().same_grid(labels.geometry(), 0.0));
}

}  // namespace
}  // namespace modir::io
