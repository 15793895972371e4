#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace modir::io {

// Typed reading of JSON configuration files. A mistake in a config file is the user's to fix, so
// every function here throws a usage error (exit status 2) whose message names the key by its
// dotted path, says what was expected and what was found, and suggests the nearest valid name.
//
// `where` is the dotted path of `object` inside the file ("deformable", "image.lncc"); errors about
// a key print `<where>.<key>`, or just `<key>` when `where` is empty.

/// The candidate closest to `name` by case-insensitive Levenshtein distance, or "" when none is
/// within max(2, name.size() / 3) edits (further than that, a suggestion misleads more than it
/// helps). Ties go to the earlier candidate.
std::string nearest_name(const std::string& name, const std::vector<std::string>& candidates);

/// Throws a usage error unless `object` is a JSON object whose keys are all in `known`, e.g.
/// `unknown key 'iteratons' in deformable; did you mean 'iterations'? (valid keys: levels, ...)`.
/// Unknown keys are errors rather than warnings: a misspelt key would otherwise silently leave its
/// default in force.
void check_known_keys(const nlohmann::json& object, const std::vector<std::string>& known,
                      const std::string& where);

/// The getters return `fallback` when `key` is absent from `object` and throw a usage error when it
/// is present with the wrong type (null included: a key is either set properly or left out).

/// A finite number.
double get_number(const nlohmann::json& object, const std::string& key, double fallback,
                  const std::string& where);

/// A whole number within the range of int. 3.0 counts as 3; 2.5 is an error.
int get_integer(const nlohmann::json& object, const std::string& key, int fallback,
                const std::string& where);

/// true or false; no 0/1 or "yes" stand-ins.
bool get_bool(const nlohmann::json& object, const std::string& key, bool fallback,
              const std::string& where);

std::string get_string(const nlohmann::json& object, const std::string& key,
                       const std::string& fallback, const std::string& where);

/// A string equal (case-sensitively) to one of `choices`; otherwise the error lists the choices and
/// suggests the nearest one.
std::string get_choice(const nlohmann::json& object, const std::string& key,
                       const std::string& fallback, const std::vector<std::string>& choices,
                       const std::string& where);

/// An array of finite numbers, or a single number taken as a list of one (so a per-level schedule
/// can be written `4` as well as `[4, 2, 1]`). An empty array gives an empty list.
std::vector<double> get_number_list(const nlohmann::json& object, const std::string& key,
                                    const std::vector<double>& fallback, const std::string& where);

/// Parses a JSON file. A missing or unreadable file is a data error; text that is not valid JSON is
/// a usage error naming the file and, from the parser, the line and column.
nlohmann::json read_json_file(const std::filesystem::path& path);

}  // namespace modir::io
