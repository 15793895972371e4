#include "modir/io/json_options.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <limits>
#include <numeric>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "modir/core/error.h"

namespace modir::io {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string lower_case(const std::string& text) {
  std::string lower = text;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

// Fewest single-character insertions, deletions and substitutions turning `a` into `b`.
std::size_t edit_distance(const std::string& a, const std::string& b) {
  // Row i of the classic table holds the distances from a[0, i) to every prefix of b; two rows do.
  std::vector<std::size_t> previous(b.size() + 1);
  std::vector<std::size_t> current(b.size() + 1);
  std::iota(previous.begin(), previous.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::string join(const std::vector<std::string>& names) {
  return fmt::format("{}", fmt::join(names, ", "));
}

std::string key_path(const std::string& where, const std::string& key) {
  return where.empty() ? key : where + "." + key;
}

// The offending value as the user wrote it, shortened so a large array does not swamp the message.
std::string describe(const json& value) {
  constexpr std::size_t kMaxShown = 40;
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > kMaxShown) text = text.substr(0, kMaxShown - 3) + "...";
  switch (value.type()) {
    case json::value_t::string: return "the string " + text;
    case json::value_t::array: return "the array " + text;
    case json::value_t::object: return "an object " + text;
    default: return text;
  }
}

Error wrong_type(const std::string& where, const std::string& key, const std::string& expected,
                 const json& found) {
  return usage_error("{} must be {}; got {}", key_path(where, key), expected, describe(found));
}

// The value of `key`, or nullptr when absent. Looking a key up in something that is not an object
// would silently give every default, so that is an error.
const json* find_value(const json& object, const std::string& key, const std::string& where) {
  if (!object.is_object()) {
    throw usage_error("{} must be a JSON object {{\"key\": value, ...}} holding '{}'; got {}",
                      where.empty() ? "the top level" : where, key, describe(object));
  }
  const auto found = object.find(key);
  return found == object.end() ? nullptr : &*found;
}

bool is_finite_number(const json& value) {
  return value.is_number() && std::isfinite(value.get<double>());
}

// nlohmann's messages start with an identifier such as "[json.exception.parse_error.101] " that
// means nothing to a user; the rest ("parse error at line 3, column 1: ...") does.
std::string without_exception_id(const std::string& message) {
  if (message.empty() || message.front() != '[') return message;
  const std::size_t end = message.find("] ");
  return end == std::string::npos ? message : message.substr(end + 2);
}

}  // namespace

std::string nearest_name(const std::string& name, const std::vector<std::string>& candidates) {
  const std::size_t tolerance = std::max<std::size_t>(2, name.size() / 3);
  const std::string lower_name = lower_case(name);
  std::string nearest;
  std::size_t nearest_distance = tolerance + 1;
  for (const std::string& candidate : candidates) {
    const std::size_t distance = edit_distance(lower_name, lower_case(candidate));
    if (distance < nearest_distance) {
      nearest = candidate;
      nearest_distance = distance;
    }
  }
  return nearest;
}

void check_known_keys(const json& object, const std::vector<std::string>& known,
                      const std::string& where) {
  const std::string place = where.empty() ? "the top level" : where;
  if (!object.is_object()) {
    throw usage_error("{} must be a JSON object {{\"key\": value, ...}}; got {}", place,
                      describe(object));
  }
  for (const auto& [key, value] : object.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    const std::string nearest = nearest_name(key, known);
    const std::string suggestion =
        nearest.empty() ? std::string() : fmt::format("; did you mean '{}'?", nearest);
    throw usage_error("unknown key '{}' in {}{} (valid keys: {})", key, place, suggestion,
                      join(known));
  }
}

double get_number(const json& object, const std::string& key, double fallback,
                  const std::string& where) {
  const json* found = find_value(object, key, where);
  if (found == nullptr) return fallback;
  if (!found->is_number()) throw wrong_type(where, key, "a number", *found);
  if (!is_finite_number(*found)) throw wrong_type(where, key, "a finite number", *found);
  return found->get<double>();
}

int get_integer(const json& object, const std::string& key, int fallback,
                const std::string& where) {
  const json* found = find_value(object, key, where);
  if (found == nullptr) return fallback;
  if (!found->is_number()) throw wrong_type(where, key, "a whole number", *found);
  const double value = found->get<double>();
  if (!std::isfinite(value) || value != std::trunc(value)) {
    throw wrong_type(where, key, "a whole number", *found);
  }
  // Compared as doubles: every int is exact in a double, and an out-of-range value must be
  // rejected before a cast that would be undefined.
  if (value < static_cast<double>(std::numeric_limits<int>::min()) ||
      value > static_cast<double>(std::numeric_limits<int>::max())) {
    throw usage_error("{} must be a whole number between {} and {}; got {}", key_path(where, key),
                      std::numeric_limits<int>::min(), std::numeric_limits<int>::max(),
                      describe(*found));
  }
  return static_cast<int>(value);
}

bool get_bool(const json& object, const std::string& key, bool fallback, const std::string& where) {
  const json* found = find_value(object, key, where);
  if (found == nullptr) return fallback;
  if (!found->is_boolean()) throw wrong_type(where, key, "true or false", *found);
  return found->get<bool>();
}

std::string get_string(const json& object, const std::string& key, const std::string& fallback,
                       const std::string& where) {
  const json* found = find_value(object, key, where);
  if (found == nullptr) return fallback;
  if (!found->is_string()) throw wrong_type(where, key, "a string", *found);
  return found->get<std::string>();
}

std::string get_choice(const json& object, const std::string& key, const std::string& fallback,
                       const std::vector<std::string>& choices, const std::string& where) {
  const std::string value = get_string(object, key, fallback, where);
  if (std::find(choices.begin(), choices.end(), value) != choices.end()) return value;
  const std::string nearest = nearest_name(value, choices);
  const std::string suggestion =
      nearest.empty() ? std::string() : fmt::format("; did you mean '{}'?", nearest);
  throw usage_error("{} must be one of {}; got '{}'{}", key_path(where, key), join(choices), value,
                    suggestion);
}

std::vector<double> get_number_list(const json& object, const std::string& key,
                                    const std::vector<double>& fallback, const std::string& where) {
  const json* found = find_value(object, key, where);
  if (found == nullptr) return fallback;
  if (found->is_number()) return {get_number(object, key, 0.0, where)};
  if (!found->is_array()) {
    throw wrong_type(where, key, "a number or an array of numbers", *found);
  }
  std::vector<double> numbers;
  numbers.reserve(found->size());
  for (std::size_t i = 0; i < found->size(); ++i) {
    const json& element = (*found)[i];
    if (!is_finite_number(element)) {
      throw usage_error("{}[{}] must be a finite number; got {}", key_path(where, key), i,
                        describe(element));
    }
    numbers.push_back(element.get<double>());
  }
  return numbers;
}

json read_json_file(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw data_error("'{}' does not exist; check the path", path.string());
  if (fs::is_directory(path, ec)) {
    throw data_error("'{}' is a folder; a JSON file was expected", path.string());
  }
  std::ifstream stream(path, std::ios::binary);
  if (!stream) throw data_error("'{}' cannot be opened; check its permissions", path.string());
  std::stringstream text;
  text << stream.rdbuf();
  if (stream.bad()) throw data_error("'{}' could not be read", path.string());
  try {
    return json::parse(text.str());
  } catch (const json::exception& e) {
    // parse_error carries "line L, column C"; out_of_range covers numbers like 1e400.
    throw usage_error("'{}' is not valid JSON: {}", path.string(), without_exception_id(e.what()));
  }
}

}  // namespace modir::io
