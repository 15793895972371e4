#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace modir::io {

/// The table that turns structure names into modir's organ classes (share/organ_names.json,
/// documented in docs/organ_names.md): synonyms per class in many languages, words that mark
/// target and helper volumes, and side words.
struct OrganNameTable {
  std::map<std::string, std::vector<std::string>> classes;  ///< class -> synonyms (normalised)
  std::set<std::string> ignore_first_words, ignore_words, side_words;
  std::filesystem::path source;  ///< the file it came from; empty for the built-in table
};

/// The table built into modir (a copy of share/organ_names.json made at build time).
const OrganNameTable& default_organ_names();

/// Reads an edited table; a data error names what is wrong with it.
OrganNameTable read_organ_names(const std::filesystem::path& path);

/// How one name was understood.
struct OrganNameMatch {
  std::string name;                       ///< as given
  std::string key;                        ///< normalised, the side and numbers removed
  std::optional<std::string> organ_class;  ///< the class it names, if any
  std::string reason;                     ///< why it matched or did not, for reports
};

/// Matches a structure name: case, accents (Latin-1 letters as their base letter), spaces,
/// underscores, hyphens and dots do not matter, nor a side word at either end or a trailing
/// number. A name whose
/// first word is an ignore_first_word, or that has an ignore_word anywhere (PTV, CTV, PRV, ...),
/// never matches: guiding a registration with a target volume as if it were the organ would be
/// wrong. Unmatched names are not errors: such structures are carried along but do not guide.
OrganNameMatch match_organ_name(const std::string& name, const OrganNameTable& table);

}  // namespace modir::io
