// Landmark files: modir's CSV, elastix/transformix point files and 3D Slicer markups JSON. Every
// reader returns world LPS mm; the conversions (voxel index, RAS) happen here and nowhere else.

#include "modir/io/point_io.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "modir/core/error.h"
#include "modir/core/log.h"
#include "modir/io/image_format.h"
#include "modir/io/output_file.h"

namespace modir::io {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The schema version modir writes; Slicer 4.11 and later read it.
constexpr const char* kMarkupsSchema =
    "https://raw.githubusercontent.com/slicer/slicer/master/Modules/Loadable/Markups/Resources/"
    "Schema/markups-schema-v1.0.3.json#";

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string_view trim(std::string_view s) {
  const auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
  };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// Whole file as text, without a UTF-8 byte order mark (spreadsheet programs add one to CSV).
std::string read_text(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw data_error("'{}' does not exist; check the path", path.string());
  if (fs::is_directory(path, ec)) {
    throw data_error("'{}' is a folder; a point file was expected", path.string());
  }
  std::ifstream stream(path, std::ios::binary);
  if (!stream) throw data_error("'{}' cannot be opened; check its permissions", path.string());
  std::stringstream buffer;
  buffer << stream.rdbuf();
  std::string text = buffer.str();
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  return text;
}

// Lines without their end (LF or CRLF); element i is line i + 1 of the file.
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

std::vector<std::string_view> split(std::string_view s, char separator) {
  std::vector<std::string_view> fields;
  while (true) {
    const std::size_t end = s.find(separator);
    fields.push_back(s.substr(0, end));
    if (end == std::string_view::npos) return fields;
    s.remove_prefix(end + 1);
  }
}

std::vector<std::string_view> split_whitespace(std::string_view s) {
  std::vector<std::string_view> tokens;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    const std::size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > start) tokens.push_back(s.substr(start, i - start));
  }
  return tokens;
}

// A decimal number occupying the whole field (surrounding spaces allowed); nullopt otherwise.
// Not-a-number and infinities parse, so the caller can say "not finite" rather than "not a number".
std::optional<double> parse_number(std::string_view s) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

// The three coordinates of one row; throws naming the file and line for a bad or non-finite one.
Vec3d parse_coordinates(const std::vector<std::string_view>& fields, const fs::path& path,
                        std::size_t line) {
  Vec3d p;
  for (std::size_t a = 0; a < 3; ++a) {
    const std::optional<double> v = parse_number(fields[a]);
    if (!v) {
      throw data_error("'{}' line {}: coordinate {} is not a number ('{}'); fix the row",
                       path.string(), line, "xyz"[a], trim(fields[a]));
    }
    if (!std::isfinite(*v)) {
      throw data_error("'{}' line {}: coordinate {} is not finite ('{}'); fix the row",
                       path.string(), line, "xyz"[a], trim(fields[a]));
    }
    p[a] = *v;
  }
  return p;
}

bool is_skipped_csv_line(std::string_view line) {
  const std::string_view t = trim(line);
  return t.empty() || t.front() == '#';
}

PointSet read_csv(const fs::path& path, const std::string& text) {
  const std::vector<std::string_view> lines = split_lines(text);
  PointSet points;
  std::unordered_map<std::string, std::size_t> first_line_of;
  bool have_header = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::size_t line = i + 1;
    if (is_skipped_csv_line(lines[i])) continue;
    const std::vector<std::string_view> fields = split(lines[i], ',');
    if (!have_header) {
      const bool ok = fields.size() == 4 && trim(fields[0]) == "id" && trim(fields[1]) == "x" &&
                      trim(fields[2]) == "y" && trim(fields[3]) == "z";
      if (!ok) {
        throw data_error(
            "'{}' line {}: expected the header 'id,x,y,z', found '{}'; a point CSV "
            "starts with that header",
            path.string(), line, trim(lines[i]));
      }
      have_header = true;
      continue;
    }
    if (fields.size() != 4) {
      throw data_error("'{}' line {}: expected 4 columns (id,x,y,z), found {}; fix the row",
                       path.string(), line, fields.size());
    }
    std::string id(trim(fields[0]));
    if (id.empty())
      throw data_error("'{}' line {}: the id is empty; give every point an id", path.string(),
                       line);
    const Vec3d position = parse_coordinates({fields[1], fields[2], fields[3]}, path, line);
    const auto [it, inserted] = first_line_of.emplace(id, line);
    if (!inserted) {
      throw data_error(
          "'{}' line {}: duplicate id '{}' (first used on line {}); ids must be unique",
          path.string(), line, id, it->second);
    }
    points.points.push_back({std::move(id), position});
  }
  if (!have_header) {
    throw data_error("'{}' line 1: missing the header 'id,x,y,z'; a point CSV starts with it",
                     path.string());
  }
  return points;
}

PointSet read_elastix(const fs::path& path, const std::string& text, const Geometry* reference) {
  const std::vector<std::string_view> lines = split_lines(text);
  std::size_t i = 0;
  auto next_content_line = [&]() -> std::optional<std::size_t> {
    while (i < lines.size() && trim(lines[i]).empty()) ++i;
    if (i == lines.size()) return std::nullopt;
    return i++;
  };

  const std::optional<std::size_t> kind_line = next_content_line();
  const std::string_view kind = kind_line ? trim(lines[*kind_line]) : std::string_view();
  if (kind != "point" && kind != "index") {
    throw data_error(
        "'{}' line {}: expected 'point' or 'index' (an elastix point file), found "
        "'{}'",
        path.string(), kind_line ? *kind_line + 1 : 1, kind);
  }
  const bool is_index = kind == "index";
  if (is_index && reference == nullptr) {
    throw usage_error(
        "'{}' holds voxel indices ('index'); pass the image they refer to so they "
        "can be converted to world coordinates",
        path.string());
  }

  const std::optional<std::size_t> count_line = next_content_line();
  if (!count_line) {
    throw data_error("'{}' line {}: missing the number of points after '{}'", path.string(),
                     *kind_line + 2, kind);
  }
  const std::string_view count_text = trim(lines[*count_line]);
  std::size_t count = 0;
  const auto [end, ec] =
      std::from_chars(count_text.data(), count_text.data() + count_text.size(), count);
  if (ec != std::errc() || end != count_text.data() + count_text.size()) {
    throw data_error("'{}' line {}: expected the number of points, found '{}'", path.string(),
                     *count_line + 1, count_text);
  }

  PointSet points;
  std::size_t outside = 0;
  while (const std::optional<std::size_t> row = next_content_line()) {
    const std::size_t line = *row + 1;
    if (points.size() == count) {
      throw data_error("'{}' line {}: more points than the {} declared on line {}; fix the count",
                       path.string(), line, count, *count_line + 1);
    }
    const std::vector<std::string_view> tokens = split_whitespace(lines[*row]);
    if (tokens.size() != 3) {
      throw data_error(
          "'{}' line {}: expected 3 coordinates 'x y z', found {} values; modir "
          "reads 3D points only",
          path.string(), line, tokens.size());
    }
    Vec3d p = parse_coordinates(tokens, path, line);
    if (is_index) {
      if (!reference->contains_index(p)) ++outside;
      p = reference->index_to_world(p);
    }
    points.points.push_back({std::to_string(points.size() + 1), p});
  }
  if (points.size() != count) {
    throw data_error("'{}' line {}: declares {} points but the file holds {}; fix the count",
                     path.string(), *count_line + 1, count, points.size());
  }
  if (outside > 0) {
    warn(
        "'{}': {} of {} voxel indices lie outside the reference image; is it the image they "
        "were picked on?",
        path.string(), outside, count);
  }
  return points;
}

// A control point's label or id as text; Slicer writes strings, hand-written files may use numbers.
std::string text_field(const json& point, const char* key, const fs::path& path,
                       const std::string& where) {
  const auto it = point.find(key);
  if (it == point.end() || it->is_null()) return {};
  if (it->is_string()) return std::string(trim(it->get<std::string>()));
  if (it->is_number_integer()) return it->dump();
  throw data_error("'{}': {} has a '{}' that is not text; fix the markups file", path.string(),
                   where, key);
}

bool is_ras(const json& markup, const fs::path& path, std::size_t m) {
  // Slicer's markups schema (Modules/Loadable/Markups/Resources/Schema/markups-schema-v1.0.3.json,
  // "#markup/coordinateSystem") gives "default": "LPS" with enum ["LPS", "RAS"], and Slicer's
  // reader (vtkMRMLMarkupsJsonStorageNode.cxx) starts from "LPS" when the key is absent.
  const auto it = markup.find("coordinateSystem");
  if (it == markup.end()) return false;
  const std::string system = it->is_string() ? it->get<std::string>() : it->dump();
  if (system == "LPS" || system == "lps") return false;
  if (system == "RAS" || system == "ras") return true;
  throw data_error("'{}': markups[{}] has coordinateSystem '{}'; expected 'LPS' or 'RAS'",
                   path.string(), m, system);
}

void check_units(const json& markup, const fs::path& path, std::size_t m) {
  const auto it = markup.find("coordinateUnits");
  if (it == markup.end()) return;  // the schema's default is mm
  const json& unit = it->is_array() && !it->empty() ? it->front() : *it;
  if (unit.is_string() && unit.get<std::string>() == "mm") return;
  throw data_error("'{}': markups[{}] has coordinateUnits {}; modir reads millimetre markups only",
                   path.string(), m, it->dump());
}

PointSet read_slicer(const fs::path& path, const std::string& text) {
  json document;
  try {
    document = json::parse(text);
  } catch (const json::exception& e) {
    throw data_error("'{}': not valid JSON ({}); fix or re-export the markups file", path.string(),
                     e.what());
  }
  if (!document.is_object() || !document.contains("markups") || !document["markups"].is_array()) {
    throw data_error(
        "'{}' is not a 3D Slicer markups file (no 'markups' list); export the points "
        "from Slicer as .mrk.json",
        path.string());
  }
  PointSet points;
  std::unordered_map<std::string, std::string> first_use;
  const json& markups = document["markups"];
  for (std::size_t m = 0; m < markups.size(); ++m) {
    const json& markup = markups[m];
    if (!markup.is_object()) {
      throw data_error("'{}': markups[{}] is not an object", path.string(), m);
    }
    const bool ras = is_ras(markup, path, m);
    check_units(markup, path, m);
    const auto cps = markup.find("controlPoints");
    if (cps == markup.end() || cps->is_null()) continue;  // the schema's default is []
    if (!cps->is_array()) {
      throw data_error("'{}': markups[{}].controlPoints is not a list", path.string(), m);
    }
    for (std::size_t c = 0; c < cps->size(); ++c) {
      const json& cp = (*cps)[c];
      const std::string where = fmt::format("markups[{}].controlPoints[{}]", m, c);
      if (!cp.is_object()) throw data_error("'{}': {} is not an object", path.string(), where);
      const auto status = cp.find("positionStatus");
      if (status != cp.end() && !(status->is_string() && status->get<std::string>() == "defined")) {
        throw data_error(
            "'{}': {} has positionStatus {} (not placed); place or delete it in "
            "Slicer",
            path.string(), where, status->dump());
      }
      const auto pos = cp.find("position");
      if (pos == cp.end() || !pos->is_array() || pos->size() != 3 ||
          !std::all_of(pos->begin(), pos->end(), [](const json& v) { return v.is_number(); })) {
        throw data_error("'{}': {} has no 'position' [x, y, z] of three numbers", path.string(),
                         where);
      }
      Vec3d p{(*pos)[0].get<double>(), (*pos)[1].get<double>(), (*pos)[2].get<double>()};
      if (ras) p = {-p.x, -p.y, p.z};
      std::string id = text_field(cp, "label", path, where);
      if (id.empty()) id = text_field(cp, "id", path, where);
      if (id.empty()) id = std::to_string(points.size() + 1);
      const auto [it, inserted] = first_use.emplace(id, where);
      if (!inserted) {
        throw data_error(
            "'{}': {} repeats the id '{}' of {}; ids must be unique, relabel the "
            "points",
            path.string(), where, id, it->second);
      }
      points.points.push_back({std::move(id), p});
    }
  }
  return points;
}

// What every writer refuses, since its own reader would refuse the file afterwards.
void check_writable(const PointSet& points, const fs::path& path) {
  std::unordered_set<std::string> seen;
  for (const Point& p : points.points) {
    if (p.id.empty()) throw data_error("cannot write '{}': a point has an empty id", path.string());
    if (!seen.insert(p.id).second) {
      throw data_error("cannot write '{}': the id '{}' appears twice", path.string(), p.id);
    }
    if (!std::isfinite(p.position.x) || !std::isfinite(p.position.y) ||
        !std::isfinite(p.position.z)) {
      throw data_error("cannot write '{}': point '{}' has a non-finite coordinate", path.string(),
                       p.id);
    }
  }
}

std::string format_csv(const PointSet& points, const fs::path& path) {
  std::string text = "id,x,y,z\n";
  for (const Point& p : points.points) {
    // Such ids would not read back as written (split, trimmed, or taken for a comment line).
    if (p.id.find_first_of(",\r\n") != std::string::npos || p.id.front() == '#' ||
        trim(p.id) != p.id) {
      throw data_error(
          "cannot write '{}': the id '{}' holds a comma, a line break, a leading '#' "
          "or surrounding spaces, which CSV cannot keep; rename it or write .mrk.json",
          path.string(), p.id);
    }
    // fmt's "{}" is the shortest text that reads back as the same double.
    text += fmt::format("{},{},{},{}\n", p.id, p.position.x, p.position.y, p.position.z);
  }
  return text;
}

std::string format_elastix(const PointSet& points, const fs::path& path) {
  std::string text = fmt::format("point\n{}\n", points.size());
  bool numbered = true;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const Point& p = points.points[i];
    numbered = numbered && p.id == std::to_string(i + 1);
    text += fmt::format("{} {} {}\n", p.position.x, p.position.y, p.position.z);
  }
  if (!numbered) {
    warn("'{}': elastix point files keep no ids; the points will read back as 1..{} in this order",
         path.string(), points.size());
  }
  return text;
}

std::string format_slicer(const PointSet& points) {
  json control_points = json::array();
  for (std::size_t i = 0; i < points.size(); ++i) {
    const Point& p = points.points[i];
    control_points.push_back({{"id", std::to_string(i + 1)},
                              {"label", p.id},
                              {"position", {p.position.x, p.position.y, p.position.z}},
                              {"positionStatus", "defined"}});
  }
  json markup = {{"type", "Fiducial"},
                 {"coordinateSystem", "LPS"},
                 {"coordinateUnits", "mm"},
                 {"controlPoints", std::move(control_points)}};
  // nlohmann writes doubles as the shortest text that reads back exactly.
  const json document = {{"@schema", kMarkupsSchema},
                         {"markups", json::array({std::move(markup)})}};
  return document.dump(2) + "\n";
}

}  // namespace

PointFormat detect_point_format(const fs::path& path) {
  const std::string name = lower_case_name(path);
  if (ends_with(name, ".csv")) return PointFormat::kCsv;
  if (ends_with(name, ".txt")) return PointFormat::kElastix;
  if (ends_with(name, ".json")) return PointFormat::kSlicerMarkups;  // .mrk.json included
  throw data_error(
      "'{}': unknown point file format; modir reads and writes .csv (id,x,y,z), .txt "
      "(elastix point file) and .mrk.json or .json (3D Slicer markups)",
      path.string());
}

PointSet read_points(const fs::path& path, const Geometry* reference) {
  const PointFormat format = detect_point_format(path);
  const std::string text = read_text(path);
  switch (format) {
    case PointFormat::kCsv: return read_csv(path, text);
    case PointFormat::kElastix: return read_elastix(path, text, reference);
    case PointFormat::kSlicerMarkups: return read_slicer(path, text);
  }
  throw data_error("'{}': unknown point file format", path.string());
}

void write_points(const PointSet& points, const fs::path& path) {
  const PointFormat format = detect_point_format(path);
  check_writable(points, path);
  std::string text;
  switch (format) {
    case PointFormat::kCsv: text = format_csv(points, path); break;
    case PointFormat::kElastix: text = format_elastix(points, path); break;
    case PointFormat::kSlicerMarkups: text = format_slicer(points); break;
  }
  write_text_file(path, text);
}

}  // namespace modir::io
