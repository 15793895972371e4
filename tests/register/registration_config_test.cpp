// The registration config schema: defaults that validate, unknown keys answered with the nearest
// valid key, wrong types and out-of-range values refused as usage errors, and a lossless JSON
// round trip (report.json records the effective config with to_json).

#include "modir/register/registration_config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "support/test_support.h"

namespace modir::reg {
namespace {

using nlohmann::json;

// The usage error a config gives, with the message checked to name every fragment.
void expect_usage_error(const json& config, const std::vector<std::string>& fragments) {
  const Error e = test::error_of([&] { parse_registration_config(config); });
  EXPECT_EQ(e.kind(), ErrorKind::kUsage) << config.dump() << ": " << e.what();
  const std::string message = e.what();
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  for (const std::string& fragment : fragments) {
    EXPECT_NE(message.find(fragment), std::string::npos)
        << "expected '" << fragment << "' in: " << message << " (config " << config.dump() << ")";
  }
}

TEST(RegistrationConfig, DefaultsValidate) {
  const RegistrationConfig defaults;
  EXPECT_NO_THROW(validate(defaults));
  EXPECT_EQ(static_cast<int>(defaults.deformable.iterations.size()), defaults.deformable.levels);
}

TEST(RegistrationConfig, EmptyObjectGivesTheDefaults) {
  EXPECT_EQ(to_json(parse_registration_config(json::object())), to_json(RegistrationConfig{}));
}

TEST(RegistrationConfig, ToJsonHoldsEveryKey) {
  const json j = to_json(RegistrationConfig{});
  const std::map<std::string, std::vector<std::string>> keys{
      {"initialisation",
       {"mode", "file", "rigid", "affine", "metric", "level_spacings_mm", "iterations"}},
      {"deformable",
       {"model", "levels", "grid_spacing_mm", "finest_image_spacing_mm", "iterations"}},
      {"image",
       {"metric", "weight", "window", "radius_mm", "bins", "mind_radius", "mind_dilation"}},
      {"guidance",
       {"label_weight", "band_mm", "sample_spacing_mm", "label_loss", "min_component_fraction",
        "organ_weights", "ignore_labels", "landmark_weight", "auto_landmark_weight"}},
      {"regularity",
       {"bending_weight", "elastic_weight", "elastic_mu", "elastic_lambda", "jacobian_weight",
        "jacobian_threshold"}},
      {"rigidity",
       {"weight", "mask", "labels", "hu_threshold", "min_component_ml", "sample_spacing_mm",
        "orthonormality", "properness", "affinity"}},
      {"optimizer", {"memory", "relative_tolerance", "patience"}},
      {"front", {"solutions", "iterations", "decades", "extra_fraction"}}};
  for (const auto& [section, names] : keys) {
    ASSERT_TRUE(j.contains(section)) << section;
    for (const std::string& name : names)
      EXPECT_TRUE(j[section].contains(name)) << section << "." << name;
  }
}

TEST(RegistrationConfig, DefaultsRoundTripThroughJson) {
  const json once = to_json(RegistrationConfig{});
  EXPECT_EQ(to_json(parse_registration_config(once)), once);
  // Through text as well, as report.json and a config file carry it.
  EXPECT_EQ(to_json(parse_registration_config(json::parse(once.dump()))), once);
}

TEST(RegistrationConfig, EveryKeySetAwayFromItsDefaultRoundTrips) {
  const json changed = {
      {"initialisation",
       {{"mode", "file"},
        {"file", "start.txt"},
        {"rigid", false},
        {"affine", true},
        {"metric", "mi"},
        {"level_spacings_mm", {6.0, 3.0, 1.5}},
        {"iterations", 17}}},
      {"deformable",
       {{"model", "svf"},
        {"levels", 2},
        {"grid_spacing_mm", 12.5},
        {"finest_image_spacing_mm", 2.5},
        {"iterations", {40, 25}}}},
      {"image",
       {{"metric", "mind"},
        {"weight", 0.75},
        {"window", "gaussian"},
        {"radius_mm", 3.5},
        {"bins", 48},
        {"mind_radius", 2},
        {"mind_dilation", 3}}},
      {"guidance",
       {{"label_weight", 0.1},
        {"band_mm", 9.0},
        {"label_loss", "squared"},
        {"min_component_fraction", 0.0},
        {"organ_weights", {{"3", 2.0}, {"4", 0.5}}},
        {"ignore_labels", {1, 2}},
        {"landmark_weight", 0.3},
        {"auto_landmark_weight", 0.04}}},
      {"regularity",
       {{"bending_weight", 0.2},
        {"elastic_weight", 0.01},
        {"elastic_mu", 2.0},
        {"elastic_lambda", 0.5},
        {"jacobian_weight", 3.0},
        {"jacobian_threshold", 0.4}}},
      {"rigidity",
       {{"weight", 0.3},
        {"mask", "intensity"},
        {"labels", {2}},
        {"hu_threshold", 250.0},
        {"min_component_ml", 1.0},
        {"sample_spacing_mm", 2.0},
        {"orthonormality", 2.0},
        {"properness", 1.0},
        {"affinity", 0.5}}},
      {"optimizer", {{"memory", 12}, {"relative_tolerance", 1e-6}, {"patience", 5}}},
      {"front", {{"solutions", 9}, {"iterations", 7}, {"decades", 1.5}, {"extra_fraction", 0.25}}}};
  const RegistrationConfig c = parse_registration_config(changed);
  EXPECT_EQ(c.initialisation.mode, "file");
  EXPECT_EQ(c.deformable.iterations, (std::vector<int>{40, 25}));
  EXPECT_EQ(c.guidance.organ_weights.at(3), 2.0);
  EXPECT_EQ(c.guidance.ignore_labels, (std::vector<int>{1, 2}));
  EXPECT_EQ(c.optimizer.patience, 5);
  // Every key set comes back as set; sections left out keep their defaults.
  json expected = to_json(RegistrationConfig{});
  expected.merge_patch(changed);
  EXPECT_EQ(to_json(c), expected);
  EXPECT_EQ(to_json(parse_registration_config(to_json(c))), expected);
}

TEST(RegistrationConfig, OneIterationCountServesEveryLevel) {
  const RegistrationConfig c =
      parse_registration_config({{"deformable", {{"levels", 4}, {"iterations", 25}}}});
  EXPECT_EQ(c.deformable.levels, 4);
  EXPECT_EQ(c.deformable.iterations, (std::vector<int>{25}));
}

TEST(RegistrationConfig, MisspeltKeysNameTheNearestValidKey) {
  expect_usage_error({{"deformable", {{"iteratons", {10, 10, 10}}}}},
                     {"'iteratons'", "did you mean 'iterations'"});
  expect_usage_error({{"deformabel", {{"levels", 2}}}},
                     {"'deformabel'", "did you mean 'deformable'"});
  expect_usage_error({{"regularity", {{"bending_wieght", 0.1}}}},
                     {"'bending_wieght'", "did you mean 'bending_weight'"});
  expect_usage_error({{"image", {{"metric", "lnc"}}}}, {"image.metric", "lncc"});
}

TEST(RegistrationConfig, WrongTypesAreUsageErrors) {
  expect_usage_error(json::array({1, 2}), {"JSON object"});
  expect_usage_error({{"deformable", 3}}, {"'deformable' must be an object"});
  expect_usage_error({{"deformable", {{"levels", "three"}}}}, {"deformable.levels"});
  expect_usage_error({{"deformable", {{"levels", 2.5}}}}, {"deformable.levels"});
  expect_usage_error({{"deformable", {{"iterations", {30, 20.5, 10}}}}},
                     {"deformable.iterations", "whole numbers"});
  // Beyond int's range the cast that compared it was undefined behaviour (found by fuzzing:
  // fuzz/corpus/config/crash_ub_vast_iteration_count.json).
  expect_usage_error({{"deformable", {{"iterations", {80, 50, 1e76}}}}},
                     {"deformable.iterations", "whole numbers"});
  expect_usage_error({{"initialisation", {{"rigid", 1}}}}, {"initialisation.rigid"});
  expect_usage_error({{"image", {{"weight", nullptr}}}}, {"image.weight"});
  expect_usage_error({{"guidance", {{"organ_weights", {{"bladder", 1.0}}}}}},
                     {"organ_weights", "'bladder'", "not a label number"});
  expect_usage_error({{"guidance", {{"organ_weights", {3, 1.0}}}}}, {"organ_weights"});
}

TEST(RegistrationConfig, OutOfRangeValuesAreUsageErrors) {
  expect_usage_error({{"deformable", {{"levels", 0}, {"iterations", 10}}}},
                     {"deformable.levels", "between 1 and 6"});
  expect_usage_error({{"deformable", {{"levels", 7}, {"iterations", 10}}}}, {"deformable.levels"});
  expect_usage_error({{"deformable", {{"levels", 3}, {"iterations", {10, 20}}}}},
                     {"deformable.iterations", "one per level (3)"});
  expect_usage_error({{"deformable", {{"levels", 2}, {"iterations", {10, 20, 30}}}}},
                     {"deformable.iterations", "(2)"});
  expect_usage_error({{"deformable", {{"iterations", {-1, 10, 10}}}}}, {"deformable.iterations"});
  expect_usage_error({{"deformable", {{"grid_spacing_mm", 1.0}}}}, {"deformable.grid_spacing_mm"});
  expect_usage_error({{"image", {{"weight", -1.0}}}}, {"image.weight"});
  expect_usage_error({{"image", {{"bins", 4}}}}, {"image.bins"});
  expect_usage_error({{"guidance", {{"label_weight", -0.1}}}},
                     {"guidance.label_weight", ">= 0", "-0.1"});
  expect_usage_error({{"guidance", {{"landmark_weight", -2}}}}, {"guidance.landmark_weight"});
  expect_usage_error({{"guidance", {{"auto_landmark_weight", -0.5}}}},
                     {"guidance.auto_landmark_weight"});
  expect_usage_error({{"guidance", {{"organ_weights", {{"3", -1.0}}}}}}, {"non-negative"});
  expect_usage_error({{"guidance", {{"min_component_fraction", 1.5}}}},
                     {"guidance.min_component_fraction"});
  expect_usage_error({{"guidance", {{"label_loss", "huber"}}}}, {"guidance.label_loss"});
  expect_usage_error({{"regularity", {{"bending_weight", -0.05}}}},
                     {"regularity.bending_weight"});
  expect_usage_error({{"regularity", {{"jacobian_threshold", 1.0}}}},
                     {"regularity.jacobian_threshold"});
  expect_usage_error({{"initialisation", {{"level_spacings_mm", json::array()}}}},
                     {"initialisation.level_spacings_mm"});
  expect_usage_error({{"initialisation", {{"level_spacings_mm", {4.0, 0.0}}}}},
                     {"initialisation.level_spacings_mm"});
  expect_usage_error({{"initialisation", {{"mode", "file"}}}}, {"initialisation.file"});
  expect_usage_error({{"optimizer", {{"memory", 0}}}}, {"optimizer.memory"});
  expect_usage_error({{"rigidity", {{"weight", -1.0}}}}, {"rigidity.weight"});
  expect_usage_error({{"rigidity", {{"mask", "bones"}}}}, {"rigidity.mask"});
  expect_usage_error({{"rigidity", {{"labels", {0}}}}}, {"rigidity.labels"});
  expect_usage_error({{"rigidity", {{"mask", "labels"}, {"labels", json::array()}}}},
                     {"rigidity.mask 'labels'"});
  expect_usage_error({{"rigidity", {{"properness", -2.0}}}}, {"rigidity.properness"});
  expect_usage_error({{"rigidity", {{"sample_spacing", 2.0}}}}, {"sample_spacing_mm"});
}

TEST(RegistrationConfig, ValidateCatchesProgrammaticMistakes) {
  RegistrationConfig c;
  c.deformable.levels = 2;  // three iterations counts left over from the default
  const Error e = test::error_of([&] { validate(c); });
  EXPECT_EQ(e.kind(), ErrorKind::kUsage);
  EXPECT_NE(std::string(e.what()).find("deformable.iterations"), std::string::npos) << e.what();
}

TEST(RegistrationConfig, ReadsAFile) {
  test::TempDir dir;
  std::ofstream(dir / "config.json") << R"({"deformable": {"levels": 2, "iterations": [30, 20]}})";
  const RegistrationConfig c = read_registration_config(dir / "config.json");
  EXPECT_EQ(c.deformable.levels, 2);
  EXPECT_EQ(c.deformable.iterations, (std::vector<int>{30, 20}));

  std::ofstream(dir / "broken.json") << R"({"deformable": {"levels": 2,}})";
  EXPECT_EQ(test::error_of([&] { read_registration_config(dir / "broken.json"); }).kind(),
            ErrorKind::kUsage);
  EXPECT_EQ(test::error_of([&] { read_registration_config(dir / "missing.json"); }).kind(),
            ErrorKind::kData);
}

}  // namespace
}  // namespace modir::reg
