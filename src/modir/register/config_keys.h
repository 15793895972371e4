#pragma once

// Every key of a registration config, described once: its section and name, what kind of value
// it takes, its range, and what it means. Parsing, range checks, to_json and the reference
// tables of docs/registration.md ("Every setting") are all derived from this one description, so
// a new setting is one entry here plus its field in registration_config.h.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "modir/register/registration_config.h"

namespace modir::reg {

enum class KeyKind {
  kNumber,
  kInteger,
  kBool,
  kChoice,
  kPath,
  kNumberList,
  kIntegerList,
  kOrganWeights,  ///< {"label": weight >= 0}
};

/// One end of a value's range (for lists: of each element).
struct Bound {
  double value = 0.0;
  bool inclusive = true;
};

struct ConfigKey {
  std::string section;
  std::string name;
  KeyKind kind = KeyKind::kNumber;
  std::vector<std::string> choices;  ///< kChoice
  std::optional<Bound> low, high;    ///< numbers, integers, list elements
  bool non_empty = false;            ///< lists: at least one element
  /// The docs' range column when the bounds alone do not say it (a note is appended after them).
  std::string range_text;
  std::string range_note;
  std::string meaning;
  /// The key's value in a config, as to_json writes it.
  std::function<nlohmann::json(const RegistrationConfig&)> get;
  /// Reads the key from its section object (type-checked there; a usage error names the key).
  std::function<void(RegistrationConfig&, const nlohmann::json& section)> set;
};

struct ConfigSection {
  std::string name;
  std::string heading_note;  ///< e.g. "(only with `--pareto N`)"
};

const std::vector<ConfigSection>& config_sections();
/// Every key, in the order of the docs and of to_json within each section.
const std::vector<ConfigKey>& config_keys();

/// The range check of one key's value in `config`: a usage error naming `section.name`.
void check_range(const ConfigKey& key, const RegistrationConfig& config);

/// The "Every setting" tables of docs/registration.md: per section a heading and a table
/// (key, default, range, meaning), defaults from a default-constructed config.
std::string config_reference_markdown();

}  // namespace modir::reg
