#include "modir/register/transform_file.h"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "modir/core/error.h"
#include "modir/core/version.h"
#include "modir/io/json_options.h"

namespace modir::reg {

namespace {

using nlohmann::json;

json matrix_json(const Mat3& m) {
  return json::array({json::array({m(0, 0), m(0, 1), m(0, 2)}),
                      json::array({m(1, 0), m(1, 1), m(1, 2)}),
                      json::array({m(2, 0), m(2, 1), m(2, 2)})});
}

Mat3 matrix_from(const json& j, const std::string& what) {
  if (!j.is_array() || j.size() != 3) throw Error(ErrorKind::kData, what + " must be a 3x3 array");
  Mat3 m;
  for (int r = 0; r < 3; ++r) {
    if (!j[r].is_array() || j[r].size() != 3)
      throw Error(ErrorKind::kData, what + " must be a 3x3 array");
    for (int c = 0; c < 3; ++c) m(r, c) = j[r][c].get<double>();
  }
  return m;
}

Vec3d vector_from(const json& j, const std::string& what) {
  if (!j.is_array() || j.size() != 3) throw Error(ErrorKind::kData, what + " must hold 3 numbers");
  return {j[0].get<double>(), j[1].get<double>(), j[2].get<double>()};
}

json geometry_json(const Geometry& g) {
  return {{"size", {g.size[0], g.size[1], g.size[2]}},
          {"spacing", {g.spacing.x, g.spacing.y, g.spacing.z}},
          {"origin", {g.origin.x, g.origin.y, g.origin.z}},
          {"direction", matrix_json(g.direction)}};
}

Geometry geometry_from(const json& j) {
  Geometry g;
  for (int a = 0; a < 3; ++a) g.size[a] = j.at("size").at(a).get<std::int64_t>();
  g.spacing = vector_from(j.at("spacing"), "grid spacing");
  g.origin = vector_from(j.at("origin"), "grid origin");
  g.direction = matrix_from(j.at("direction"), "grid direction");
  return g;
}

transform::AffineTransform read_itk_text(const std::string& text,
                                         const std::filesystem::path& path) {
  std::istringstream in(text);
  std::string line;
  std::vector<double> parameters, fixed;
  auto numbers = [](const std::string& rest) {
    std::istringstream s(rest);
    std::vector<double> v;
    double x;
    while (s >> x) v.push_back(x);
    return v;
  };
  while (std::getline(in, line)) {
    if (line.rfind("Parameters:", 0) == 0) parameters = numbers(line.substr(11));
    if (line.rfind("FixedParameters:", 0) == 0) fixed = numbers(line.substr(16));
  }
  if (parameters.size() != 12) {
    throw Error(
        ErrorKind::kData,
        fmt::format("{}: expected an ITK affine transform with 12 parameters", path.string()));
  }
  if (fixed.empty()) fixed = {0, 0, 0};
  if (fixed.size() != 3)
    throw Error(ErrorKind::kData,
                fmt::format("{}: FixedParameters must hold the centre", path.string()));
  // ITK: T(x) = A (x - c) + c + t.
  transform::AffineTransform a;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) a.matrix(r, c) = parameters[static_cast<std::size_t>(3 * r + c)];
  const Vec3d centre{fixed[0], fixed[1], fixed[2]};
  const Vec3d t{parameters[9], parameters[10], parameters[11]};
  a.translation = centre - a.matrix * centre + t;
  return a;
}

}  // namespace

json transform_to_json(const RegistrationResult& result) {
  json j = {
      {"format", "modir transform"},
      {"modir_version", kVersion},
      {"convention", "world LPS mm; maps fixed points x to moving points"},
      {"affine",
       {{"matrix", matrix_json(result.affine.matrix)},
        {"translation",
         {result.affine.translation.x, result.affine.translation.y, result.affine.translation.z}}}},
      {"model", result.model}};
  if (result.grid) {
    const auto c = result.grid->coefficients();
    j["grid"] = {
        {"spacing_mm", result.grid->spacing()},
        {"reference", geometry_json(result.grid->reference())},
        {"control_size",
         {result.grid->control_size()[0], result.grid->control_size()[1],
          result.grid->control_size()[2]}},
        {"padding", {result.grid->padding().x, result.grid->padding().y, result.grid->padding().z}},
        {"coefficients", std::vector<double>(c.begin(), c.end())}};
  }
  return j;
}

RegistrationResult transform_from_json(const json& j) {
  RegistrationResult r;
  try {
    r.affine.matrix = matrix_from(j.at("affine").at("matrix"), "affine.matrix");
    r.affine.translation = vector_from(j.at("affine").at("translation"), "affine.translation");
    r.model = j.value("model", std::string("none"));
    if (j.contains("grid")) {
      const json& g = j.at("grid");
      Size3 size;
      for (int a = 0; a < 3; ++a) size[a] = g.at("control_size").at(a).get<std::int64_t>();
      auto grid = transform::BSplineGrid::with_layout(
          geometry_from(g.at("reference")), g.at("spacing_mm").get<double>(),
          vector_from(g.at("padding"), "grid padding"), size);
      const auto coefficients = g.at("coefficients").get<std::vector<double>>();
      if (coefficients.size() != grid.parameter_count()) {
        throw Error(ErrorKind::kData,
                    "transform grid: the number of coefficients does not match its size");
      }
      std::copy(coefficients.begin(), coefficients.end(), grid.coefficients().begin());
      r.grid = std::move(grid);
    }
  } catch (const json::exception& e) {
    throw Error(ErrorKind::kData, fmt::format("transform file: {}", e.what()));
  }
  return r;
}

transform::AffineTransform read_affine_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in)
    throw Error(ErrorKind::kData, fmt::format("cannot read transform file {}", path.string()));
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  if (text.find("Transform:") != std::string::npos &&
      text.find("Parameters:") != std::string::npos) {
    return read_itk_text(text, path);
  }
  return transform_from_json(io::read_json_file(path)).affine;
}

}  // namespace modir::reg
