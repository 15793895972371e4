#include "modir/register/registration_config.h"

#include <fmt/format.h>

#include "modir/core/error.h"
#include "modir/io/json_options.h"
#include "modir/register/config_keys.h"

namespace modir::reg {

namespace {

using nlohmann::json;

const json& section(const json& root, const std::string& name) {
  static const json empty = json::object();
  if (!root.contains(name)) return empty;
  const json& s = root.at(name);
  if (!s.is_object()) throw usage_error("config: '{}' must be an object", name);
  return s;
}

void require(bool condition, const std::string& message) {
  if (!condition) throw usage_error("config: {}", message);
}

}  // namespace

RegistrationConfig parse_registration_config(const json& root) {
  if (!root.is_object()) throw usage_error("config: the file must hold a JSON object");
  std::vector<std::string> sections;
  for (const ConfigSection& s : config_sections()) sections.push_back(s.name);
  io::check_known_keys(root, sections, "the config");
  RegistrationConfig c;
  for (const std::string& name : sections) {
    const json& object = section(root, name);
    std::vector<std::string> known;
    for (const ConfigKey& k : config_keys())
      if (k.section == name) known.push_back(k.name);
    io::check_known_keys(object, known, name);
    for (const ConfigKey& k : config_keys())
      if (k.section == name) k.set(c, object);
  }
  validate(c);
  return c;
}

void validate(const RegistrationConfig& c) {
  for (const ConfigKey& k : config_keys()) check_range(k, c);
  // Rules that tie keys together.
  require(c.initialisation.mode != "file" || !c.initialisation.file.empty(),
          "initialisation.mode 'file' needs initialisation.file");
  const auto& d = c.deformable;
  require(
      d.iterations.size() == 1 || static_cast<int>(d.iterations.size()) == d.levels,
      fmt::format("deformable.iterations must hold one number or one per level ({})", d.levels));
  require(c.rigidity.mask != "labels" || !c.rigidity.labels.empty(),
          "rigidity.mask 'labels' needs rigidity.labels");
}

RegistrationConfig read_registration_config(const std::filesystem::path& path) {
  return parse_registration_config(io::read_json_file(path));
}

nlohmann::json to_json(const RegistrationConfig& c) {
  json out = json::object();
  for (const ConfigSection& s : config_sections()) out[s.name] = json::object();
  for (const ConfigKey& k : config_keys()) out[k.section][k.name] = k.get(c);
  return out;
}

}  // namespace modir::reg
