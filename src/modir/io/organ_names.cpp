#include "modir/io/organ_names.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <string_view>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "modir/core/error.h"
#include "modir/io/organ_names_default.h"  // generated from share/organ_names.json

namespace modir::io {

namespace fs = std::filesystem;

namespace {

// Latin-1 letters in UTF-8 (two bytes, first 0xC3) as ASCII, so "Tête fémorale" and "Hüftkopf"
// match their plain spellings.
std::string transliterated(std::string_view text) {
  static const char* const kLatin1[64] = {
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
      "d", "n", "o", "o", "o", "o", "o", "x", "o", "u", "u", "u", "u", "y", "th", "ss",
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
      "d", "n", "o", "o", "o", "o", "o", "/", "o", "u", "u", "u", "u", "y", "th", "y"};
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0xC3 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0xBF) {
        out += kLatin1[next - 0x80];
        ++i;
        continue;
      }
    }
    out += static_cast<char>(c);
  }
  return out;
}

// Lower-case ASCII words: letters and digits, split at everything else.
std::vector<std::string> words_of(const std::string& name) {
  std::vector<std::string> words(1);
  for (const char raw : transliterated(name)) {
    const auto c = static_cast<unsigned char>(raw);
    if (std::isalnum(c)) {
      words.back() += static_cast<char>(std::tolower(c));
    } else if (!words.back().empty()) {
      words.emplace_back();
    }
  }
  if (words.back().empty()) words.pop_back();
  return words;
}

bool all_digits(const std::string& w) {
  return !w.empty() && std::all_of(w.begin(), w.end(), [](unsigned char c) { return std::isdigit(c); });
}

std::string normalised(const std::string& synonym) {
  std::string key;
  for (const std::string& w : words_of(synonym)) key += w;
  return key;
}

OrganNameTable parse_table(const nlohmann::json& j, const std::string& source) {
  OrganNameTable table;
  try {
    const auto set_of = [&](const char* field) {
      std::set<std::string> out;
      for (const auto& w : j.at(field)) out.insert(normalised(w.get<std::string>()));
      return out;
    };
    table.ignore_first_words = set_of("ignore_first_words");
    table.ignore_words = set_of("ignore_words");
    table.side_words = set_of("side_words");
    std::map<std::string, std::string> owner;
    for (const auto& [organ, synonyms] : j.at("classes").items()) {
      std::vector<std::string>& list = table.classes[organ];
      // A class's own name is always one of its names ("uterus_prostate", "femoral_heads").
      std::vector<std::string> all{organ};
      for (const auto& s : synonyms) all.push_back(s.get<std::string>());
      for (const std::string& synonym : all) {
        const std::string key = normalised(synonym);
        if (key.empty()) continue;
        const auto [at, fresh] = owner.emplace(key, organ);
        if (!fresh && at->second != organ) {
          throw data_error("'{}': the name '{}' is listed for both '{}' and '{}'", source, key,
                           at->second, organ);
        }
        list.push_back(key);
      }
    }
  } catch (const nlohmann::json::exception& e) {
    throw data_error("'{}' is not an organ name table (classes, ignore_first_words, ignore_words, "
                     "side_words): {}",
                     source, e.what());
  }
  if (table.classes.empty()) throw data_error("'{}' names no organ classes", source);
  return table;
}

}  // namespace

const OrganNameTable& default_organ_names() {
  static const OrganNameTable table =
      parse_table(nlohmann::json::parse(kDefaultOrganNamesJson), "built-in organ name table");
  return table;
}

OrganNameTable read_organ_names(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw data_error("cannot read the organ name table '{}'", path.string());
  nlohmann::json j;
  try {
    in >> j;
  } catch (const nlohmann::json::exception& e) {
    throw data_error("'{}' is not valid JSON: {}", path.string(), e.what());
  }
  OrganNameTable table = parse_table(j, path.string());
  table.source = path;
  return table;
}

OrganNameMatch match_organ_name(const std::string& name, const OrganNameTable& table) {
  OrganNameMatch m;
  m.name = name;
  std::vector<std::string> words = words_of(name);
  if (words.empty()) {
    m.reason = "empty name";
    return m;
  }
  if (table.ignore_first_words.count(words.front())) {
    m.reason = fmt::format("starts with '{}': a helper volume, not an organ", words.front());
    return m;
  }
  for (const std::string& w : words) {
    if (table.ignore_words.count(w)) {
      m.reason = fmt::format("contains '{}': a target or planning volume, not the organ", w);
      return m;
    }
  }
  // Side words and numbers at the end ("Femur_Head_L", "Rectum 2"), a side word at the start
  // ("Lt Femoral Head"), then digits glued to the end.
  while (words.size() > 1 && (table.side_words.count(words.back()) || all_digits(words.back())))
    words.pop_back();
  while (words.size() > 1 && table.side_words.count(words.front())) words.erase(words.begin());
  for (const std::string& w : words) m.key += w;
  while (m.key.size() > 1 && std::isdigit(static_cast<unsigned char>(m.key.back()))) m.key.pop_back();
  for (const auto& [organ, synonyms] : table.classes) {
    if (std::find(synonyms.begin(), synonyms.end(), m.key) != synonyms.end()) {
      m.organ_class = organ;
      m.reason = fmt::format("'{}' is a name of {}", m.key, organ);
      return m;
    }
  }
  m.reason = fmt::format("'{}' is in no class of the table", m.key);
  return m;
}

}  // namespace modir::io
