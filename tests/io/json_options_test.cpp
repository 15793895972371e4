#include "modir/io/json_options.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <string>

#include "modir/core/error.h"
#include "support/test_support.h"

namespace modir::io {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::error_of;
using test::TempDir;

// Checks that `error` is a usage error whose message contains every one of `parts`.
void expect_usage_error(const Error& error, const std::vector<std::string>& parts) {
  EXPECT_EQ(error.kind(), ErrorKind::kUsage) << error.what();
  const std::string message = error.what();
  for (const std::string& part : parts) {
    EXPECT_NE(message.find(part), std::string::npos)
        << "message lacks \"" << part << "\": " << message;
  }
}

const std::vector<std::string> kDeformableKeys = {"model", "levels", "grid_spacing_mm",
                                                  "iterations"};

// ---------------------------------------------------------------------------------------------
// nearest_name

TEST(NearestName, OneTypoFindsTheIntendedName) {
  EXPECT_EQ(nearest_name("iteratons", kDeformableKeys), "iterations");          // deletion
  EXPECT_EQ(nearest_name("levells", kDeformableKeys), "levels");                // insertion
  EXPECT_EQ(nearest_name("modal", kDeformableKeys), "model");                   // substitution
  EXPECT_EQ(nearest_name("grid_spacing", kDeformableKeys), "grid_spacing_mm");  // 3 of 12
}

TEST(NearestName, IgnoresCase) {
  EXPECT_EQ(nearest_name("ITERATIONS", kDeformableKeys), "iterations");
  EXPECT_EQ(nearest_name("Levls", kDeformableKeys), "levels");
}

TEST(NearestName, NothingCloseGivesEmpty) {
  EXPECT_EQ(nearest_name("smoothing_sigma", kDeformableKeys), "");
  EXPECT_EQ(nearest_name("abc", {}), "");
}

TEST(NearestName, ToleranceGrowsWithLengthButIsAtLeastTwo) {
  // Short names: two edits still suggest ("mi" -> "mind" needs two insertions).
  EXPECT_EQ(nearest_name("mi", {"mind"}), "mind");
  EXPECT_EQ(nearest_name("m", {"mind"}), "");  // three edits
  // A 12-character name tolerates 4 edits, not 5.
  EXPECT_EQ(nearest_name("abcdefghijkl", {"abcdefghWXYZ"}), "abcdefghWXYZ");
  EXPECT_EQ(nearest_name("abcdefghijkl", {"abcdefgVWXYZ"}), "");
}

TEST(NearestName, PicksTheClosestAndTheFirstOnTies) {
  EXPECT_EQ(nearest_name("ncd", {"ssd", "ncc"}), "ncc");  // 1 edit beats 2
  EXPECT_EQ(nearest_name("nc", {"ncc", "nce"}), "ncc");
}

// ---------------------------------------------------------------------------------------------
// check_known_keys

TEST(CheckKnownKeys, KnownKeysPass) {
  EXPECT_NO_THROW(check_known_keys(json{{"levels", 3}, {"model", "svf"}}, kDeformableKeys, "x"));
  EXPECT_NO_THROW(check_known_keys(json::object(), kDeformableKeys, "x"));
}

TEST(CheckKnownKeys, TypoNamesTheSectionSuggestionAndValidKeys) {
  const Error error = error_of([] {
    check_known_keys(json{{"iteratons", 5}}, kDeformableKeys, "deformable");
  });
  EXPECT_EQ(error.kind(), ErrorKind::kUsage);
  EXPECT_STREQ(error.what(),
               "unknown key 'iteratons' in deformable; did you mean 'iterations'? (valid keys: "
               "model, levels, grid_spacing_mm, iterations)");
  EXPECT_EQ(error.exit_code(), 2);
}

TEST(CheckKnownKeys, UnrelatedKeyGetsNoSuggestion) {
  const Error error = error_of([] {
    check_known_keys(json{{"colour", "red"}}, kDeformableKeys, "deformable");
  });
  expect_usage_error(error, {"unknown key 'colour' in deformable (valid keys: model,"});
  EXPECT_EQ(std::string(error.what()).find("did you mean"), std::string::npos) << error.what();
}

TEST(CheckKnownKeys, TopLevelIsNamedWhenWhereIsEmpty) {
  expect_usage_error(error_of([] {
                       check_known_keys(json{{"imag", 1}}, {"image"}, "");
                     }),
                     {"unknown key 'imag' in the top level; did you mean 'image'?"});
}

TEST(CheckKnownKeys, NonObjectSaysAnObjectWasExpected) {
  expect_usage_error(error_of([] {
                       check_known_keys(json::array({1, 2}), kDeformableKeys, "deformable");
                     }),
                     {"deformable must be a JSON object", "got the array [1,2]"});
  expect_usage_error(error_of([] { check_known_keys(json(7), kDeformableKeys, "image.lncc"); }),
                     {"image.lncc must be a JSON object", "got 7"});
}

// ---------------------------------------------------------------------------------------------
// Typed getters

TEST(GetNumber, ReadsIntegersAndFloatsAndFallsBack) {
  const json object = {{"weight", 0.25}, {"radius_mm", 5}};
  EXPECT_EQ(get_number(object, "weight", 1.0, "image"), 0.25);
  EXPECT_EQ(get_number(object, "radius_mm", 1.0, "image"), 5.0);
  EXPECT_EQ(get_number(object, "absent", 1.5, "image"), 1.5);
}

TEST(GetNumber, WrongTypeNamesTheKeyPathAndTheValue) {
  const json object = {{"weight", "0.5"}};
  expect_usage_error(error_of([&] { get_number(object, "weight", 1.0, "image.lncc"); }),
                     {"image.lncc.weight must be a number; got the string \"0.5\""});
  expect_usage_error(error_of([] {
                       get_number(json{{"weight", nullptr}}, "weight", 1.0, "");
                     }),
                     {"weight must be a number; got null"});
}

TEST(GetNumber, RejectsNonFiniteValues) {
  const json object = {{"weight", std::numeric_limits<double>::infinity()}};
  expect_usage_error(error_of([&] { get_number(object, "weight", 1.0, "image"); }),
                     {"image.weight must be a finite number"});
  const json nan_object = {{"weight", std::nan("")}};
  expect_usage_error(error_of([&] { get_number(nan_object, "weight", 1.0, "image"); }),
                     {"image.weight must be a finite number"});
}

TEST(GetNumber, LookingIntoANonObjectIsAnError) {
  expect_usage_error(error_of([] { get_number(json::array(), "weight", 1.0, "image"); }),
                     {"image must be a JSON object", "'weight'"});
}

TEST(GetInteger, AcceptsWholeNumbersOnly) {
  const json object = {{"levels", 3}, {"bins", 32.0}, {"step", 2.5}, {"negative", -4}};
  EXPECT_EQ(get_integer(object, "levels", 1, "deformable"), 3);
  EXPECT_EQ(get_integer(object, "bins", 1, "deformable"), 32);
  EXPECT_EQ(get_integer(object, "negative", 1, "deformable"), -4);
  EXPECT_EQ(get_integer(object, "absent", 7, "deformable"), 7);
  expect_usage_error(error_of([&] { get_integer(object, "step", 1, "deformable"); }),
                     {"deformable.step must be a whole number; got 2.5"});
  expect_usage_error(error_of([] {
                       get_integer(json{{"levels", "3"}}, "levels", 1, "d");
                     }),
                     {"d.levels must be a whole number; got the string \"3\""});
}

TEST(GetInteger, RejectsValuesOutsideTheRangeOfInt) {
  const json object = {{"big", 3000000000LL}, {"small", -3000000000LL}, {"huge", 1e300}};
  for (const char* key : {"big", "small", "huge"}) {
    expect_usage_error(error_of([&] { get_integer(object, key, 1, "optimizer"); }),
                       {"optimizer." + std::string(key), "between"});
  }
  EXPECT_EQ(get_integer(json{{"max", std::numeric_limits<int>::max()}}, "max", 0, ""),
            std::numeric_limits<int>::max());
}

TEST(GetBool, AcceptsOnlyTrueAndFalse) {
  const json object = {{"rigid", false}, {"affine", 1}, {"flag", "true"}};
  EXPECT_FALSE(get_bool(object, "rigid", true, "initialisation"));
  EXPECT_TRUE(get_bool(object, "absent", true, "initialisation"));
  expect_usage_error(error_of([&] { get_bool(object, "affine", true, "initialisation"); }),
                     {"initialisation.affine must be true or false; got 1"});
  expect_usage_error(error_of([&] { get_bool(object, "flag", true, "initialisation"); }),
                     {"initialisation.flag must be true or false; got the string \"true\""});
}

TEST(GetString, ReadsStringsAndRejectsOtherTypes) {
  const json object = {{"file", "init.tfm"}, {"number", 4}};
  EXPECT_EQ(get_string(object, "file", "", "initialisation"), "init.tfm");
  EXPECT_EQ(get_string(object, "absent", "default", "initialisation"), "default");
  expect_usage_error(error_of([&] { get_string(object, "number", "", "initialisation"); }),
                     {"initialisation.number must be a string; got 4"});
}

TEST(GetChoice, AcceptsAListedChoice) {
  const std::vector<std::string> metrics = {"lncc", "ncc", "ssd", "mi", "mind"};
  EXPECT_EQ(get_choice(json{{"metric", "mind"}}, "metric", "lncc", metrics, "image"), "mind");
  EXPECT_EQ(get_choice(json::object(), "metric", "lncc", metrics, "image"), "lncc");
}

TEST(GetChoice, UnlistedChoiceListsTheChoicesAndSuggestsTheNearest) {
  const std::vector<std::string> metrics = {"lncc", "ncc", "ssd", "mi", "mind"};
  const Error error = error_of([&] {
    get_choice(json{{"metric", "LNCC"}}, "metric", "lncc", metrics, "image");
  });
  EXPECT_EQ(error.kind(), ErrorKind::kUsage);
  EXPECT_STREQ(error.what(),
               "image.metric must be one of lncc, ncc, ssd, mi, mind; got 'LNCC'; did you mean "
               "'lncc'?");
  const Error far = error_of([&] {
    get_choice(json{{"metric", "correlation"}}, "metric", "lncc", metrics, "image");
  });
  expect_usage_error(far, {"image.metric must be one of", "got 'correlation'"});
  EXPECT_EQ(std::string(far.what()).find("did you mean"), std::string::npos) << far.what();
}

TEST(GetChoice, NonStringIsATypeError) {
  expect_usage_error(error_of([] {
                       get_choice(json{{"model", 2}}, "model", "svf", {"svf"}, "deformable");
                     }),
                     {"deformable.model must be a string; got 2"});
}

TEST(GetNumberList, ReadsArraysAndSingleNumbers) {
  const json object = {{"spacings", {8, 4.5, 2}}, {"single", 4}, {"empty", json::array()}};
  EXPECT_EQ(get_number_list(object, "spacings", {}, "initialisation"),
            (std::vector<double>{8.0, 4.5, 2.0}));
  EXPECT_EQ(get_number_list(object, "single", {}, "initialisation"), std::vector<double>{4.0});
  EXPECT_TRUE(get_number_list(object, "empty", {1.0}, "initialisation").empty());
  EXPECT_EQ(get_number_list(object, "absent", {1.0, 2.0}, "initialisation"),
            (std::vector<double>{1.0, 2.0}));
}

TEST(GetNumberList, BadElementIsNamedByItsIndex) {
  const json object = {{"spacings", {8, "4", 2}}, {"text", "8x4x2"}};
  expect_usage_error(error_of([&] { get_number_list(object, "spacings", {}, "initialisation"); }),
                     {"initialisation.spacings[1] must be a finite number; got the string \"4\""});
  expect_usage_error(error_of([&] { get_number_list(object, "text", {}, "initialisation"); }),
                     {"initialisation.text must be a number or an array of numbers"});
  const json infinite = {{"single", std::numeric_limits<double>::infinity()}};
  expect_usage_error(error_of([&] { get_number_list(infinite, "single", {}, "i"); }),
                     {"i.single must be a finite number"});
}

// ---------------------------------------------------------------------------------------------
// read_json_file

fs::path write_file(const TempDir& dir, const std::string& name, const std::string& text) {
  const fs::path path = dir / name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(ReadJsonFile, ReadsAnObject) {
  TempDir dir;
  const fs::path path = write_file(dir, "config.json", R"({"deformable": {"levels": 2}})");
  const json config = read_json_file(path);
  EXPECT_EQ(get_integer(config.at("deformable"), "levels", 0, "deformable"), 2);
}

TEST(ReadJsonFile, MissingFileIsADataError) {
  TempDir dir;
  const fs::path path = dir / "missing.json";
  const Error error = error_of([&] { read_json_file(path); });
  EXPECT_EQ(error.kind(), ErrorKind::kData);
  EXPECT_NE(std::string(error.what()).find(path.string()), std::string::npos) << error.what();
}

TEST(ReadJsonFile, FolderIsADataError) {
  TempDir dir;
  EXPECT_EQ(error_of([&] { read_json_file(dir.path()); }).kind(), ErrorKind::kData);
}

TEST(ReadJsonFile, SyntaxErrorIsAUsageErrorWithLineAndColumn) {
  TempDir dir;
  // A trailing comma: the parser trips over the '}' at line 3, column 1.
  const fs::path path = write_file(dir, "config.json", "{\n  \"levels\": 3,\n}\n");
  const Error error = error_of([&] { read_json_file(path); });
  expect_usage_error(error, {path.string(), "not valid JSON", "line 3, column 1"});
  EXPECT_EQ(std::string(error.what()).find("json.exception"), std::string::npos) << error.what();
}

TEST(ReadJsonFile, EmptyFileAndNumberOverflowAreUsageErrors) {
  TempDir dir;
  expect_usage_error(error_of([&] { read_json_file(write_file(dir, "empty.json", "")); }),
                     {"not valid JSON", "line 1, column 1"});
  expect_usage_error(
      error_of([&] { read_json_file(write_file(dir, "overflow.json", "{\"w\": 1e400}")); }),
      {"not valid JSON", "1e400"});
}

}  // namespace
}  // namespace modir::io
