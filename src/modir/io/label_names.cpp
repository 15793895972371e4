#include "modir/io/label_names.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "modir/core/error.h"
#include "modir/core/log.h"
#include "modir/io/image_format.h"

namespace modir::io {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

std::optional<std::uint16_t> label_value(const json& v) {
  if (!v.is_number_integer()) return std::nullopt;
  const auto value = v.get<std::int64_t>();
  if (value < 0 || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

// A name compared letter for letter: case and everything but letters and digits ignored.
std::string spelling_key(const std::string& name) {
  std::string key;
  for (const unsigned char c : name)
    if (std::isalnum(c)) key.push_back(static_cast<char>(std::tolower(c)));
  return key;
}

}  // namespace

std::optional<LabelNames> parse_label_names(const json& document, std::string& problem) {
  if (!document.is_object() || !document.contains("labels")) {
    problem = "has no \"labels\" entry";
    return std::nullopt;
  }
  const json& labels = document["labels"];
  LabelNames names;
  if (labels.is_object()) {  // a phantom's meta.json: {"1": "body", ...}
    for (const auto& [key, name] : labels.items()) {
      if (key.empty() || key.size() > 5 || key.find_first_not_of("0123456789") != std::string::npos ||
          std::stoul(key) > 65535 || !name.is_string()) {
        problem = fmt::format("\"labels\" entry '{}' is not a label value 0..65535 with a name", key);
        return std::nullopt;
      }
      const auto value = static_cast<std::uint16_t>(std::stoul(key));
      if (value != 0) names[value].name = name.get<std::string>();
    }
    return names;
  }
  if (!labels.is_array()) {
    problem = "\"labels\" is neither a list of {value, name} nor an object of value: name";
    return std::nullopt;
  }
  for (const json& entry : labels) {
    const auto value = entry.is_object() && entry.contains("value")
                           ? label_value(entry["value"])
                           : std::nullopt;
    if (!value || !entry.contains("name") || !entry["name"].is_string()) {
      problem = fmt::format("a \"labels\" entry is not {{\"value\": 0..65535, \"name\": text}}: {}",
                            entry.dump().substr(0, 80));
      return std::nullopt;
    }
    if (*value == 0) continue;
    LabelName n;
    n.name = entry["name"].get<std::string>();
    if (entry.contains("roi_number") && entry["roi_number"].is_number_integer())
      n.roi_number = entry["roi_number"].get<int>();
    if (entry.contains("color") && entry["color"].is_array() && entry["color"].size() == 3) {
      std::array<int, 3> c{};
      bool ok = true;
      for (std::size_t k = 0; k < 3; ++k) {
        ok = ok && entry["color"][k].is_number_integer();
        if (ok) c[k] = std::clamp(entry["color"][k].get<int>(), 0, 255);
      }
      if (ok) n.color = c;
    }
    if (entry.contains("interpreted_type") && entry["interpreted_type"].is_string())
      n.interpreted_type = entry["interpreted_type"].get<std::string>();
    names[*value] = std::move(n);
  }
  return names;
}

LabelNames read_label_names(const fs::path& path) {
  std::ifstream stream(path);
  if (!stream) throw data_error("cannot read the names file '{}'", path.string());
  const json document = json::parse(stream, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) throw data_error("names file '{}' is not valid JSON", path.string());
  std::string problem;
  std::optional<LabelNames> names = parse_label_names(document, problem);
  if (!names) {
    throw data_error("'{}' is not a names file ({}; expected a \"labels\" list of {{value, name}} "
                     "or a \"labels\" object of value: name)",
                     path.string(), problem);
  }
  return *names;
}

std::optional<NamesFile> label_names_beside(const fs::path& label_map) {
  const fs::path candidates[] = {fs::path(strip_image_extension(label_map).string() + ".json"),
                                 label_map.parent_path() / "meta.json"};
  for (const fs::path& candidate : candidates) {
    std::error_code ec;
    if (!fs::is_regular_file(candidate, ec)) continue;
    std::ifstream stream(candidate);
    const json document = json::parse(stream, nullptr, false);
    std::string problem;
    if (document.is_discarded()) continue;
    if (auto names = parse_label_names(document, problem)) return NamesFile{candidate, std::move(*names)};
  }
  return std::nullopt;
}

LabelPairing pair_labels_by_name(const LabelNames& reference, const LabelNames& other,
                                 const OrganNameTable& table) {
  LabelPairing out;
  std::set<std::uint16_t> reference_free, other_free;
  for (const auto& [v, n] : reference) reference_free.insert(v);
  for (const auto& [v, n] : other) other_free.insert(v);
  const auto pair = [&](std::uint16_t o, std::uint16_t r, const char* how) {
    out.other_to_reference[o] = r;
    out.renumbered = out.renumbered || o != r;
    out.lines.push_back(fmt::format("'{}' ({}) pairs with '{}' ({}): {}", other.at(o).name, o,
                                    reference.at(r).name, r, how));
    other_free.erase(o);
    reference_free.erase(r);
  };

  // 1. The same spelling; a spelling that several labels of one side share pairs nothing.
  std::map<std::string, std::vector<std::uint16_t>> reference_by_key, other_by_key;
  for (const auto& [v, n] : reference) reference_by_key[spelling_key(n.name)].push_back(v);
  for (const auto& [v, n] : other) other_by_key[spelling_key(n.name)].push_back(v);
  for (const auto& [key, values] : other_by_key) {
    const auto r = reference_by_key.find(key);
    if (key.empty() || r == reference_by_key.end()) continue;
    if (values.size() == 1 && r->second.size() == 1) {
      pair(values.front(), r->second.front(), "same name");
    } else {
      out.lines.push_back(fmt::format("'{}' names {} labels on one side and {} on the other: "
                                      "not paired",
                                      other.at(values.front()).name, values.size(), r->second.size()));
      for (const std::uint16_t v : values) other_free.erase(v);
      for (const std::uint16_t v : r->second) reference_free.erase(v);
      for (const std::uint16_t v : values) out.unpaired_other.push_back(v);
      for (const std::uint16_t v : r->second) out.unpaired_reference.push_back(v);
    }
  }

  // 2. The same organ class, where it names exactly one free label on each side.
  std::map<std::string, std::vector<std::uint16_t>> reference_by_class, other_by_class;
  for (const std::uint16_t v : reference_free)
    if (auto c = match_organ_name(reference.at(v).name, table).organ_class)
      reference_by_class[*c].push_back(v);
  for (const std::uint16_t v : other_free)
    if (auto c = match_organ_name(other.at(v).name, table).organ_class)
      other_by_class[*c].push_back(v);
  for (const auto& [organ, values] : other_by_class) {
    const auto r = reference_by_class.find(organ);
    if (r == reference_by_class.end()) continue;
    if (values.size() == 1 && r->second.size() == 1) {
      pair(values.front(), r->second.front(), fmt::format("both name organ class '{}'", organ).c_str());
    } else {
      out.lines.push_back(fmt::format("organ class '{}' is named by {} labels on one side and {} "
                                      "on the other: not paired",
                                      organ, values.size(), r->second.size()));
    }
  }
  for (const std::uint16_t v : other_free) {
    if (out.other_to_reference.count(v)) continue;
    out.unpaired_other.push_back(v);
    out.lines.push_back(fmt::format("'{}' ({}) has no partner", other.at(v).name, v));
  }
  for (const std::uint16_t v : reference_free) {
    out.unpaired_reference.push_back(v);
    out.lines.push_back(fmt::format("'{}' ({}) has no partner", reference.at(v).name, v));
  }
  std::sort(out.unpaired_other.begin(), out.unpaired_other.end());
  std::sort(out.unpaired_reference.begin(), out.unpaired_reference.end());
  out.unpaired_other.erase(std::unique(out.unpaired_other.begin(), out.unpaired_other.end()),
                           out.unpaired_other.end());
  out.unpaired_reference.erase(
      std::unique(out.unpaired_reference.begin(), out.unpaired_reference.end()),
      out.unpaired_reference.end());
  return out;
}

LabelMap renumber_labels(const LabelMap& labels,
                         const std::map<std::uint16_t, std::uint16_t>& mapping) {
  std::vector<std::uint16_t> lookup(65536, 0);
  for (const auto& [from, to] : mapping) lookup[from] = to;
  LabelMap out(labels.geometry(), 0);
  const std::uint16_t* in = labels.data();
  std::uint16_t* o = out.data();
  for (std::int64_t v = 0; v < labels.voxel_count(); ++v) o[v] = lookup[in[v]];
  return out;
}

std::optional<nlohmann::json> carried_label_sidecar(const fs::path& source,
                                                    const LabelMap& carried,
                                                    const nlohmann::json& provenance) {
  nlohmann::json sidecar;
  try {
    std::ifstream stream(source);
    sidecar = nlohmann::json::parse(stream);
  } catch (const nlohmann::json::exception& e) {
    warn("'{}' is not valid JSON ({}); no label sidecar is written", source.string(), e.what());
    return std::nullopt;
  }
  if (!sidecar.is_object() || !sidecar.contains("labels") || !sidecar["labels"].is_array()) {
    warn("'{}' has no \"labels\" list; no label sidecar is written", source.string());
    return std::nullopt;
  }
  std::vector<std::int64_t> voxels(65536, 0);
  for (const std::uint16_t l : carried.buffer()) ++voxels[l];
  const double ml_per_voxel = carried.geometry().voxel_ml();
  for (nlohmann::json& entry : sidecar["labels"]) {
    if (!entry.is_object() || !entry.contains("value") || !entry["value"].is_number_integer())
      continue;
    const auto value = entry["value"].get<std::int64_t>();
    if (value < 0 || value > 65535) continue;
    entry["voxels"] = voxels[static_cast<std::size_t>(value)];
    entry["volume_ml"] = static_cast<double>(voxels[static_cast<std::size_t>(value)]) * ml_per_voxel;
    entry.erase("overlap_voxels_lost");
  }
  sidecar["warped"] = provenance;
  return sidecar;
}

}  // namespace modir::io
