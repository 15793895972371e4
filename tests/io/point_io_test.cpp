#include "modir/io/point_io.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "modir/core/error.h"
#include "modir/io/image_io.h"
#include "support/test_support.h"

namespace modir::io {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

fs::path write_file(const TempDir& dir, const std::string& name, const std::string& text) {
  const fs::path path = dir / name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string slurp(const fs::path& path) {
  std::ifstream stream(path, std::ios::binary);
  std::stringstream buffer;
  buffer << stream.rdbuf();
  return buffer.str();
}

// Reads a file that must fail; returns the error so the test can check its kind and message.
Error read_error(const fs::path& path, const Geometry* reference = nullptr) {
  try {
    read_points(path, reference);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "reading '" << path << "' did not throw";
  return Error(ErrorKind::kData, "");
}

void expect_point(const PointSet& set, std::size_t i, const std::string& id, Vec3d expected,
                  double tolerance = 0.0) {
  ASSERT_LT(i, set.size());
  EXPECT_EQ(set.points[i].id, id);
  EXPECT_NEAR(set.points[i].position.x, expected.x, tolerance) << "point " << id;
  EXPECT_NEAR(set.points[i].position.y, expected.y, tolerance) << "point " << id;
  EXPECT_NEAR(set.points[i].position.z, expected.z, tolerance) << "point " << id;
}

fs::path lung_data() {
  return test::shared_data() / "registration" / "lung_ct_elastix";
}

// ---------------------------------------------------------------------------------------------
// Format detection

TEST(PointIoFormat, DetectsByExtension) {
  EXPECT_EQ(detect_point_format("a/b.csv"), PointFormat::kCsv);
  EXPECT_EQ(detect_point_format("B.CSV"), PointFormat::kCsv);
  EXPECT_EQ(detect_point_format("pts.txt"), PointFormat::kElastix);
  EXPECT_EQ(detect_point_format("F.mrk.json"), PointFormat::kSlicerMarkups);
  EXPECT_EQ(detect_point_format("F.json"), PointFormat::kSlicerMarkups);
}

TEST(PointIoFormat, UnknownExtensionListsTheKnownOnes) {
  try {
    detect_point_format("landmarks.fcsv");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
    const std::string m = e.what();
    EXPECT_NE(m.find("landmarks.fcsv"), std::string::npos) << m;
    for (const char* ext : {".csv", ".txt", ".mrk.json"})
      EXPECT_NE(m.find(ext), std::string::npos) << m;
  }
}

TEST(PointIoFormat, MissingFileIsADataError) {
  TempDir dir;
  const Error e = read_error(dir / "absent.csv");
  EXPECT_EQ(e.kind(), ErrorKind::kData);
  EXPECT_NE(std::string(e.what()).find("absent.csv"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// CSV

TEST(PointIoCsv, ReadsWithBomCrlfSpacesCommentsAndBlankLines) {
  TempDir dir;
  const fs::path path = write_file(dir, "p.csv",
                                   "\xEF\xBB\xBF# exported landmarks\r\n"
                                   " id , x , y , z \r\n"
                                   "\r\n"
                                   "P1, 1.5, -2.25, 300\r\n"
                                   "  # a comment between rows\r\n"
                                   "P2,-0.125,1e2,+7\r\n");
  const PointSet set = read_points(path);
  ASSERT_EQ(set.size(), 2u);
  expect_point(set, 0, "P1", {1.5, -2.25, 300});
  expect_point(set, 1, "P2", {-0.125, 100, 7});
}

TEST(PointIoCsv, HeaderOnlyGivesAnEmptySet) {
  TempDir dir;
  EXPECT_TRUE(read_points(write_file(dir, "e.csv", "id,x,y,z\n")).empty());
  EXPECT_TRUE(read_points(write_file(dir, "f.csv", "# nothing yet\nid,x,y,z")).empty());
}

struct BadRow {
  const char* name;
  const char* text;
  int line;
  const char* says;  // a word the message must contain
};

// Test names in gtest's output instead of the struct's raw bytes.
void PrintTo(const BadRow& c, std::ostream* os) {
  *os << c.name;
}

class PointIoCsvBadRow : public ::testing::TestWithParam<BadRow> {};

TEST_P(PointIoCsvBadRow, NamesFileAndLine) {
  TempDir dir;
  const fs::path path = write_file(dir, "bad.csv", GetParam().text);
  const Error e = read_error(path);
  const std::string m = e.what();
  EXPECT_EQ(e.kind(), ErrorKind::kData);
  EXPECT_NE(m.find("bad.csv"), std::string::npos) << m;
  EXPECT_NE(m.find("line " + std::to_string(GetParam().line) + ":"), std::string::npos) << m;
  EXPECT_NE(m.find(GetParam().says), std::string::npos) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos) << "one-line message expected: " << m;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PointIoCsvBadRow,
    ::testing::Values(
        BadRow{"TooFewColumns", "id,x,y,z\nA,1,2\n", 2, "4 columns"},
        BadRow{"TooManyColumns", "id,x,y,z\nA,1,2,3\nB,1,2,3,4\n", 3, "found 5"},
        BadRow{"NotANumber", "id,x,y,z\n# c\nA,1,2,3\nB,1,abc,3\n", 4, "not a number"},
        BadRow{"TrailingJunk", "id,x,y,z\nA,1.5mm,2,3\n", 2, "not a number"},
        BadRow{"EmptyCoordinate", "id,x,y,z\nA,1,,3\n", 2, "not a number"},
        BadRow{"NaN", "id,x,y,z\nA,nan,2,3\n", 2, "not finite"},
        BadRow{"Infinity", "id,x,y,z\r\n\r\nA,1,2,-inf\r\n", 3, "not finite"},
        BadRow{"EmptyId", "id,x,y,z\n  ,1,2,3\n", 2, "id is empty"},
        BadRow{"DuplicateId", "id,x,y,z\nA,1,2,3\n\nA,4,5,6\n", 4, "first used on line 2"},
        BadRow{"MissingHeader", "A,1,2,3\n", 1, "header"},
        BadRow{"WrongHeader", "# pts\nname,x,y,z\nA,1,2,3\n", 2, "header"},
        BadRow{"HeaderInOtherOrder", "id,z,y,x\n", 1, "header"},
        BadRow{"EmptyFile", "", 1, "header"}),
    [](const auto& test_case) { return std::string(test_case.param.name); });

// ---------------------------------------------------------------------------------------------
// elastix / transformix point files

TEST(PointIoElastix, ReadsWorldPointsAsLps) {
  TempDir dir;
  const fs::path path =
      write_file(dir, "p.txt", "point\r\n3\r\n1.5 -2 3\r\n-4.25\t5e1   6\r\n0 0 -1204.5\r\n\r\n");
  const PointSet set = read_points(path);
  ASSERT_EQ(set.size(), 3u);
  expect_point(set, 0, "1", {1.5, -2, 3});
  expect_point(set, 1, "2", {-4.25, 50, 6});
  expect_point(set, 2, "3", {0, 0, -1204.5});
}

TEST(PointIoElastix, ConvertsIndicesWithTheReferenceGeometry) {
  TempDir dir;
  Geometry g;
  g.size = {10, 10, 10};
  g.spacing = {2, 3, 4};
  g.origin = {10, 20, 30};
  // Index axis 0 points toward +y, axis 1 toward -x, axis 2 toward +z.
  g.direction = Mat3::from_columns({0, 1, 0}, {-1, 0, 0}, {0, 0, 1});
  const fs::path path = write_file(dir, "i.txt", "index\n2\n1 2 3\n0.5 0 -1\n");
  const PointSet set = read_points(path, &g);
  ASSERT_EQ(set.size(), 2u);
  // (1,2,3): origin + 1*2*(0,1,0) + 2*3*(-1,0,0) + 3*4*(0,0,1) = (10-6, 20+2, 30+12).
  expect_point(set, 0, "1", {4, 22, 42}, 1e-12);
  // (0.5,0,-1): origin + 0.5*2*(0,1,0) - 1*4*(0,0,1) = (10, 21, 26).
  expect_point(set, 1, "2", {10, 21, 26}, 1e-12);
}

TEST(PointIoElastix, IndexFileWithoutReferenceIsAUsageError) {
  TempDir dir;
  const Error e = read_error(write_file(dir, "i.txt", "index\n1\n1 2 3\n"));
  EXPECT_EQ(e.kind(), ErrorKind::kUsage);
  EXPECT_NE(std::string(e.what()).find("pass the image"), std::string::npos) << e.what();
}

TEST(PointIoElastix, ZeroPointsIsAnEmptySet) {
  TempDir dir;
  EXPECT_TRUE(read_points(write_file(dir, "z.txt", "point\n0\n")).empty());
}

class PointIoElastixBadRow : public ::testing::TestWithParam<BadRow> {};

TEST_P(PointIoElastixBadRow, NamesFileAndLine) {
  TempDir dir;
  const fs::path path = write_file(dir, "bad.txt", GetParam().text);
  const Error e = read_error(path);
  const std::string m = e.what();
  EXPECT_EQ(e.kind(), ErrorKind::kData);
  EXPECT_NE(m.find("bad.txt"), std::string::npos) << m;
  EXPECT_NE(m.find("line " + std::to_string(GetParam().line) + ":"), std::string::npos) << m;
  EXPECT_NE(m.find(GetParam().says), std::string::npos) << m;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PointIoElastixBadRow,
    ::testing::Values(BadRow{"FewerPointsThanCount", "point\n3\n1 2 3\n4 5 6\n", 2, "holds 2"},
                      BadRow{"MorePointsThanCount", "point\n1\n1 2 3\n4 5 6\n", 4, "more points"},
                      BadRow{"BadNumber", "point\n2\n1 2 3\n4 five 6\n", 4, "not a number"},
                      BadRow{"NonFinite", "point\n1\n1 inf 3\n", 3, "not finite"},
                      BadRow{"TwoCoordinates", "point\n2\n1 2 3\n1 2\n", 4, "3 coordinates"},
                      BadRow{"FourCoordinates", "point\n1\n1 2 3 4\n", 3, "3 coordinates"},
                      BadRow{"UnknownKind", "points\n1\n1 2 3\n", 1, "'point' or 'index'"},
                      BadRow{"NoKind", "1\n1 2 3\n", 1, "'point' or 'index'"},
                      BadRow{"BadCount", "point\nten\n1 2 3\n", 2, "number of points"},
                      BadRow{"NegativeCount", "point\n-1\n", 2, "number of points"},
                      BadRow{"MissingCount", "point\n", 2, "number of points"},
                      BadRow{"EmptyFile", "", 1, "'point' or 'index'"}),
    [](const auto& test_case) { return std::string(test_case.param.name); });

TEST(PointIoElastix, RealLandmarkFiles) {
  // First and last rows as written in the files.
  const PointSet fixed = read_points(lung_data() / "3DCT_lung_baseline_landmarks.txt");
  ASSERT_EQ(fixed.size(), 100u);
  expect_point(fixed, 0, "1", {-36.351, -36.974, -1204.5}, 1e-9);
  expect_point(fixed, 99, "100", {55.171, -6.922, -1299.5}, 1e-9);

  const PointSet moving = read_points(lung_data() / "CT_3D_lung_moving_point_set.txt");
  ASSERT_EQ(moving.size(), 100u);
  expect_point(moving, 0, "1", {-40.94, -47.022, -1169.5}, 1e-9);
  expect_point(moving, 99, "100", {51.265, -19.702, -1272.0}, 1e-9);

  const PointSet corrected = read_points(lung_data() / "CT_3D_lung_fixed_point_set_corrected.txt");
  ASSERT_EQ(corrected.size(), 51u);
  expect_point(corrected, 0, "1", {-36.351, -36.974, -1204.5}, 1e-9);
  expect_point(corrected, 1, "2", {-65.037, 21.764, -1344.5}, 1e-9);
  expect_point(corrected, 50, "51", {-40.449, -32.876, -1189.5}, 1e-9);

  // Fixed and moving pair up by their 1..N ids.
  EXPECT_EQ(pair_by_id(fixed, moving).ids.size(), 100u);
}

TEST(PointIoElastix, RealIndexFileOnTheBaselineMaskGrid) {
  const ImageInfo mask = read_image_info(lung_data() / "3DCT_lung_baseline_mask.mha");
  const Geometry& g = mask.geometry;
  // The .mha header: Offset = -153.827 -150.352 -1434.5, ElementSpacing = 1.366 1.366 2.5,
  // TransformMatrix = identity.
  ASSERT_NEAR(g.origin.x, -153.827, 1e-9);
  ASSERT_NEAR(g.origin.y, -150.352, 1e-9);
  ASSERT_NEAR(g.origin.z, -1434.5, 1e-9);
  ASSERT_NEAR(g.spacing.x, 1.366, 1e-9);
  ASSERT_NEAR(g.spacing.z, 2.5, 1e-9);
  ASSERT_LT(g.direction.max_abs_difference(Mat3::identity()), 1e-12);

  const PointSet set = read_points(lung_data() / "3DCT_lung_baseline.txt", &g);
  ASSERT_EQ(set.size(), 10u);
  // First row "94 92 114": (-153.827 + 94*1.366, -150.352 + 92*1.366, -1434.5 + 114*2.5).
  expect_point(set, 0, "1", {-25.423, -24.68, -1149.5}, 1e-9);
  // Last row "60 131 31": (-153.827 + 81.96, -150.352 + 178.946, -1434.5 + 77.5).
  expect_point(set, 9, "10", {-71.867, 28.594, -1357.0}, 1e-9);
}

// ---------------------------------------------------------------------------------------------
// 3D Slicer markups

constexpr const char* kSchema =
    "\"@schema\": "
    "\"https://raw.githubusercontent.com/slicer/slicer/master/Modules/Loadable/Markups/Resources/"
    "Schema/markups-schema-v1.0.3.json#\"";

std::string markups(const std::string& body) {
  return std::string("{") + kSchema + ", \"markups\": [" + body + "]}";
}

TEST(PointIoSlicer, RasAndLpsFilesOfTheSamePointAgree) {
  TempDir dir;
  // One physical point: LPS (10.5, -20, 30) is RAS (-10.5, 20, 30).
  const fs::path lps = write_file(dir, "lps.mrk.json", markups(R"({"type": "Fiducial",
      "coordinateSystem": "LPS", "controlPoints": [
      {"id": "1", "label": "tip", "position": [10.5, -20.0, 30.0]}]})"));
  const fs::path ras = write_file(dir, "ras.mrk.json", markups(R"({"type": "Fiducial",
      "coordinateSystem": "RAS", "controlPoints": [
      {"id": "1", "label": "tip", "position": [-10.5, 20.0, 30.0]}]})"));
  // No coordinateSystem: the schema's default, LPS.
  const fs::path plain = write_file(dir, "plain.json", markups(R"({"type": "Fiducial",
      "controlPoints": [{"label": "tip", "position": [10.5, -20.0, 30.0]}]})"));
  for (const fs::path& path : {lps, ras, plain}) {
    SCOPED_TRACE(path.filename().string());
    const PointSet set = read_points(path);
    ASSERT_EQ(set.size(), 1u);
    expect_point(set, 0, "tip", {10.5, -20, 30});
  }
}

TEST(PointIoSlicer, IdsComeFromLabelThenIdThenPosition) {
  TempDir dir;
  const fs::path path = write_file(dir, "ids.mrk.json", markups(R"(
      {"type": "Fiducial", "coordinateSystem": "LPS", "controlPoints": [
        {"id": "7", "label": "apex", "position": [1, 2, 3]},
        {"id": "8", "label": "", "position": [4, 5, 6]},
        {"position": [7, 8, 9]}]},
      {"type": "Fiducial", "coordinateSystem": "RAS", "controlPoints": [
        {"id": "1", "label": "base", "position": [1, 1, 1]}]})"));
  const PointSet set = read_points(path);
  ASSERT_EQ(set.size(), 4u);
  expect_point(set, 0, "apex", {1, 2, 3});
  expect_point(set, 1, "8", {4, 5, 6});
  expect_point(set, 2, "3", {7, 8, 9});
  expect_point(set, 3, "base", {-1, -1, 1});
}

TEST(PointIoSlicer, EmptyMarkupsGiveAnEmptySet) {
  TempDir dir;
  EXPECT_TRUE(
      read_points(write_file(dir, "e.mrk.json", markups(R"({"type": "Fiducial"})"))).empty());
}

struct BadJson {
  const char* name;
  std::string text;
  const char* says;  // what the message must contain
};

void PrintTo(const BadJson& c, std::ostream* os) {
  *os << c.name;
}

class PointIoSlicerBad : public ::testing::TestWithParam<BadJson> {};

TEST_P(PointIoSlicerBad, IsADataErrorNamingTheFile) {
  TempDir dir;
  const Error e = read_error(write_file(dir, "bad.mrk.json", GetParam().text));
  const std::string m = e.what();
  EXPECT_EQ(e.kind(), ErrorKind::kData);
  EXPECT_NE(m.find("bad.mrk.json"), std::string::npos) << m;
  EXPECT_NE(m.find(GetParam().says), std::string::npos) << m;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PointIoSlicerBad,
    ::testing::Values(
        BadJson{"MalformedJson", markups(R"({"type": "Fiducial", "controlPoints": [)"), "JSON"},
        BadJson{"NotMarkups", R"({"points": []})", "markups"},
        BadJson{"MissingPosition",
                markups(R"({"controlPoints": [{"label": "a", "position": [1,2,3]}]},
            {"controlPoints": [{"label": "b"}]})"),
                "markups[1].controlPoints[0]"},
        BadJson{"ShortPosition",
                markups(R"({"controlPoints": [{"label": "a", "position": [1,2]}]})"),
                "markups[0].controlPoints[0]"},
        BadJson{"TextPosition",
                markups(R"({"controlPoints": [{"label": "a", "position": [1,"2",3]}]})"),
                "markups[0].controlPoints[0]"},
        BadJson{"DuplicateAcrossMarkups",
                markups(R"({"controlPoints": [{"label": "a", "position": [1,2,3]}]},
            {"controlPoints": [{"label": "a", "position": [4,5,6]}]})"),
                "markups[1].controlPoints[0] repeats the id 'a' of markups[0].controlPoints[0]"},
        BadJson{"UnknownCoordinateSystem",
                markups(R"({"coordinateSystem": "XYZ", "controlPoints": []})"), "XYZ"},
        BadJson{"NotPlaced", markups(R"({"controlPoints": [{"label": "a", "position": [0,0,0],
            "positionStatus": "undefined"}]})"),
                "undefined"},
        BadJson{"Micrometres", markups(R"({"coordinateUnits": "um", "controlPoints": []})"),
                "coordinateUnits"}),
    [](const auto& test_case) { return std::string(test_case.param.name); });

// ---------------------------------------------------------------------------------------------
// Writing

PointSet awkward_points() {
  PointSet set;
  set.points.push_back({"1", {0.1 + 0.2, 1.0 / 3.0, -1204.5}});
  set.points.push_back(
      {"2", {-1e-300, 123456789.123456789, std::numeric_limits<double>::denorm_min()}});
  set.points.push_back({"3", {-0.0, 1e300, -std::numeric_limits<double>::max()}});
  return set;
}

void expect_identical(const PointSet& a, const PointSet& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a.points[i].id, b.points[i].id);
    for (std::size_t c = 0; c < 3; ++c) {
      EXPECT_EQ(a.points[i].position[c], b.points[i].position[c]) << "point " << i << " axis " << c;
    }
  }
}

TEST(PointIoWrite, CsvRoundTripIsExact) {
  TempDir dir;
  PointSet set = awkward_points();
  set.points[0].id = "apex";
  set.points[2].id = "GTV centre";
  write_points(set, dir / "out.csv");
  EXPECT_EQ(slurp(dir / "out.csv").substr(0, 9), "id,x,y,z\n");
  expect_identical(read_points(dir / "out.csv"), set);
}

TEST(PointIoWrite, ElastixRoundTripIsExact) {
  TempDir dir;
  const PointSet set = awkward_points();
  write_points(set, dir / "out.txt");
  EXPECT_EQ(slurp(dir / "out.txt").substr(0, 8), "point\n3\n");
  expect_identical(read_points(dir / "out.txt"), set);
}

TEST(PointIoWrite, ElastixFilesKeepOrderNotIds) {
  TempDir dir;
  PointSet set;
  set.points.push_back({"b", {1, 2, 3}});
  set.points.push_back({"a", {4, 5, 6}});
  write_points(set, dir / "out.txt");
  const PointSet back = read_points(dir / "out.txt");
  ASSERT_EQ(back.size(), 2u);
  expect_point(back, 0, "1", {1, 2, 3});
  expect_point(back, 1, "2", {4, 5, 6});
}

TEST(PointIoWrite, SlicerRoundTripIsExactAndTheFileIsAValidMarkupsDocument) {
  TempDir dir;
  PointSet set = awkward_points();
  set.points[1].id = "F-2";
  write_points(set, dir / "out.mrk.json");
  expect_identical(read_points(dir / "out.mrk.json"), set);

  const nlohmann::json doc = nlohmann::json::parse(slurp(dir / "out.mrk.json"));
  EXPECT_NE(doc.at("@schema").get<std::string>().find("markups-schema-v1.0."), std::string::npos);
  ASSERT_EQ(doc.at("markups").size(), 1u);
  const nlohmann::json& m = doc.at("markups")[0];
  EXPECT_EQ(m.at("type"), "Fiducial");
  EXPECT_EQ(m.at("coordinateSystem"), "LPS");
  ASSERT_EQ(m.at("controlPoints").size(), 3u);
  EXPECT_EQ(m.at("controlPoints")[1].at("label"), "F-2");
  EXPECT_EQ(m.at("controlPoints")[1].at("id"), "2");
  EXPECT_EQ(m.at("controlPoints")[0].at("position")[2].get<double>(), -1204.5);
}

TEST(PointIoWrite, EmptySetsRoundTrip) {
  TempDir dir;
  for (const char* name : {"e.csv", "e.txt", "e.mrk.json"}) {
    write_points(PointSet{}, dir / name);
    EXPECT_TRUE(read_points(dir / name).empty()) << name;
  }
}

TEST(PointIoWrite, RefusesSetsItCouldNotReadBack) {
  TempDir dir;
  auto refuses = [&](const PointSet& set, const char* name, const char* says) {
    try {
      write_points(set, dir / name);
      ADD_FAILURE() << name << ": no error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(dir / name)) << name;
  };
  PointSet duplicate;
  duplicate.points = {{"a", {1, 2, 3}}, {"a", {4, 5, 6}}};
  refuses(duplicate, "dup.mrk.json", "twice");
  PointSet empty_id;
  empty_id.points = {{"", {1, 2, 3}}};
  refuses(empty_id, "empty.csv", "empty id");
  PointSet nan;
  nan.points = {{"a", {1, std::nan(""), 3}}};
  refuses(nan, "nan.txt", "non-finite");
  PointSet comma;
  comma.points = {{"left, upper", {1, 2, 3}}};
  refuses(comma, "comma.csv", "comma");
  PointSet hash;
  hash.points = {{"#1", {1, 2, 3}}};
  refuses(hash, "hash.csv", "'#'");
  EXPECT_THROW(write_points(PointSet{}, dir / "out.xyz"), Error);
}

}  // namespace
}  // namespace modir::io
