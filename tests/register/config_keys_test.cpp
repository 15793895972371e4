// The config's one description (register/config_keys.h): the docs' reference tables are derived
// from it, every key it describes round-trips through JSON, and nothing is described twice.

#include "modir/register/config_keys.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "support/test_support.h"

namespace modir::reg {
namespace {

using nlohmann::json;

constexpr const char* kBegin = "<!-- config-reference: generated from register/config_keys.cpp -->\n";
constexpr const char* kEnd = "<!-- config-reference: end -->\n";

// docs/registration.md's tables are config_reference_markdown() verbatim. On a mismatch the
// expected text is written beside the test (the message says where) to paste into the docs.
TEST(ConfigKeys, DocsTablesAreGeneratedFromTheDescription) {
  std::ifstream in(std::string(MODIR_SOURCE_DIR) + "/docs/registration.md");
  ASSERT_TRUE(in) << "docs/registration.md not found";
  std::stringstream text;
  text << in.rdbuf();
  const std::string docs = text.str();
  const auto begin = docs.find(kBegin);
  const auto end = docs.find(kEnd);
  ASSERT_NE(begin, std::string::npos) << "the begin marker is missing from the docs";
  ASSERT_NE(end, std::string::npos) << "the end marker is missing from the docs";
  const std::string in_docs = docs.substr(begin + std::string(kBegin).size(),
                                          end - begin - std::string(kBegin).size());
  const std::string expected = config_reference_markdown();
  if (in_docs != expected) {
    std::ofstream("config_reference.md") << expected;
    FAIL() << "docs/registration.md's setting tables differ from the description; the expected "
              "text is in config_reference.md in the test's working folder";
  }
}

TEST(ConfigKeys, EveryKeyIsDescribedOnceAndToJsonHoldsExactlyThem) {
  std::set<std::string> described;
  std::set<std::string> sections;
  for (const ConfigSection& s : config_sections()) sections.insert(s.name);
  for (const ConfigKey& k : config_keys()) {
    EXPECT_TRUE(sections.count(k.section)) << k.section;
    EXPECT_TRUE(described.insert(k.section + "." + k.name).second) << k.name << " twice";
    EXPECT_FALSE(k.meaning.empty()) << k.name;
    EXPECT_TRUE(k.get && k.set) << k.name;
    if (k.kind == KeyKind::kChoice) {
      EXPECT_GE(k.choices.size(), 2u) << k.name;
    }
  }
  std::set<std::string> written;
  const json defaults = to_json(RegistrationConfig{});
  for (const auto& [section, keys] : defaults.items())
    for (const auto& [name, value] : keys.items()) written.insert(section + "." + name);
  EXPECT_EQ(written, described);
}

// A value of the key's kind, inside its range and unlike `current`.
json other_value(const ConfigKey& k, const json& current) {
  const auto allowed = [&](double v) {
    if (k.low && (k.low->inclusive ? v < k.low->value : v <= k.low->value)) return false;
    if (k.high && (k.high->inclusive ? v > k.high->value : v >= k.high->value)) return false;
    return true;
  };
  switch (k.kind) {
    case KeyKind::kBool:
      return !current.get<bool>();
    case KeyKind::kChoice:
      for (const std::string& c : k.choices)
        if (c != current.get<std::string>()) return c;
      break;
    case KeyKind::kPath:
      return "elsewhere/start.txt";
    case KeyKind::kOrganWeights:
      return {{"3", 2.5}};
    case KeyKind::kNumber:
    case KeyKind::kInteger:
    case KeyKind::kNumberList:
    case KeyKind::kIntegerList: {
      const bool whole = k.kind == KeyKind::kInteger || k.kind == KeyKind::kIntegerList;
      const bool list = k.kind == KeyKind::kNumberList || k.kind == KeyKind::kIntegerList;
      for (const double v : {3.0, 0.5, 5.0, 1.5, 9.0, 0.25, 33.0, 150.0}) {
        if ((whole && v != static_cast<int>(v)) || !allowed(v)) continue;
        const json value = whole ? json(static_cast<int>(v)) : json(v);
        const json candidate = list ? json::array({value}) : value;
        if (candidate != current) return candidate;
      }
      break;
    }
  }
  ADD_FAILURE() << "no other value for " << k.section << "." << k.name;
  return current;
}

TEST(ConfigKeys, EveryKeyRoundTripsThroughJson) {
  const RegistrationConfig defaults;
  for (const ConfigKey& k : config_keys()) {
    const json value = other_value(k, k.get(defaults));
    json config = {{k.section, {{k.name, value}}}};
    // A level count needs iterations for each level (or one number for all).
    if (k.section == "deformable" && k.name == "levels") config["deformable"]["iterations"] = 10;
    RegistrationConfig parsed;
    ASSERT_NO_THROW(parsed = parse_registration_config(config)) << config.dump();
    EXPECT_EQ(k.get(parsed), value) << config.dump();
    EXPECT_EQ(to_json(parse_registration_config(to_json(parsed))), to_json(parsed))
        << config.dump();
  }
}

TEST(ConfigKeys, AnUnknownMetricNamesTheValidOnes) {
  const Error e = test::error_of(
      [] { parse_registration_config({{"image", {{"metric", "nmi"}}}}); });
  EXPECT_EQ(e.kind(), ErrorKind::kUsage);
  const std::string message = e.what();
  for (const char* valid : {"lncc", "ncc", "ssd", "mi", "mind", "image.metric", "'nmi'"})
    EXPECT_NE(message.find(valid), std::string::npos) << message;
}

TEST(ConfigKeys, RangesInTheDocsComeFromTheBounds) {
  const std::string table = config_reference_markdown();
  EXPECT_NE(table.find("| `levels` | `3` | 1 – 6 |"), std::string::npos) << table;
  EXPECT_NE(table.find("| `jacobian_threshold` | `0.2` | (0, 1) |"), std::string::npos);
  EXPECT_NE(table.find("| `weight` | `1` | ≥ 0 (0: guidance alone) |"), std::string::npos);
  EXPECT_NE(table.find("### `front` (only with `--pareto N`)"), std::string::npos);
}

}  // namespace
}  // namespace modir::reg
