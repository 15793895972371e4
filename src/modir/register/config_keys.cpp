#include "modir/register/config_keys.h"

#include <cmath>
#include <type_traits>

#include <fmt/format.h>

#include "modir/core/error.h"
#include "modir/io/json_options.h"
#include "modir/register/image_terms.h"

namespace modir::reg {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::vector<int> integer_list(const json& object, const std::string& key,
                              const std::vector<int>& fallback, const std::string& where) {
  if (!object.contains(key)) return fallback;
  std::vector<int> out;
  for (const double v : io::get_number_list(object, key, {}, where)) {
    // Range first: casting a double beyond int's range is undefined (1e76 was; found by fuzzing).
    if (!(std::abs(v) <= 1e9) || v != std::floor(v))
      throw usage_error("config: {}.{} must hold whole numbers (at most 10^9 in size)", where, key);
    out.push_back(static_cast<int>(v));
  }
  return out;
}

std::map<int, double> organ_weights(const json& object, const std::string& key,
                                    const std::map<int, double>& fallback,
                                    const std::string& where) {
  if (!object.contains(key)) return fallback;
  const json& o = object.at(key);
  if (!o.is_object())
    throw usage_error("config: {}.{} must map label numbers to weights", where, key);
  std::map<int, double> out;
  for (const auto& [label_text, value] : o.items()) {
    int label = 0;
    try {
      std::size_t used = 0;
      label = std::stoi(label_text, &used);
      if (used != label_text.size()) throw std::invalid_argument(label_text);
    } catch (const std::exception&) {
      throw usage_error("config: {}.{} key '{}' is not a label number", where, key, label_text);
    }
    if (!value.is_number() || value.get<double>() < 0)
      throw usage_error("config: {}.{}['{}'] must be a non-negative number", where, key,
                        label_text);
    out[label] = value.get<double>();
  }
  return out;
}

// get and set of one field, whatever its type: the member of a section of the config.
template <typename Section, typename Field>
void bind(ConfigKey& key, Section RegistrationConfig::*section, Field Section::*field) {
  key.get = [section, field](const RegistrationConfig& c) -> json {
    const Field& v = c.*section.*field;
    if constexpr (std::is_same_v<Field, fs::path>) {
      return v.string();
    } else if constexpr (std::is_same_v<Field, std::map<int, double>>) {
      json out = json::object();
      for (const auto& [label, weight] : v) out[std::to_string(label)] = weight;
      return out;
    } else {
      return v;
    }
  };
  const KeyKind kind = key.kind;
  const std::vector<std::string> choices = key.choices;
  key.set = [section, field, kind, choices, name = key.name, where = key.section](
                RegistrationConfig& c, const json& object) {
    Field& v = c.*section.*field;
    if constexpr (std::is_same_v<Field, double>) {
      v = io::get_number(object, name, v, where);
    } else if constexpr (std::is_same_v<Field, int>) {
      v = io::get_integer(object, name, v, where);
    } else if constexpr (std::is_same_v<Field, bool>) {
      v = io::get_bool(object, name, v, where);
    } else if constexpr (std::is_same_v<Field, std::string>) {
      v = kind == KeyKind::kChoice ? io::get_choice(object, name, v, choices, where)
                                   : io::get_string(object, name, v, where);
    } else if constexpr (std::is_same_v<Field, fs::path>) {
      v = io::get_string(object, name, v.string(), where);
    } else if constexpr (std::is_same_v<Field, std::vector<double>>) {
      v = io::get_number_list(object, name, v, where);
    } else if constexpr (std::is_same_v<Field, std::vector<int>>) {
      v = integer_list(object, name, v, where);
    } else {
      v = organ_weights(object, name, v, where);
    }
  };
}

// The table, built once. Each entry: section, name, kind, range, meaning, and the field.
std::vector<ConfigKey> describe() {
  std::vector<ConfigKey> keys;
  // The entry is completed (choices, bounds, binding) before the next add: the reference does
  // not outlive it.
  const auto add = [&keys](std::string section_name, std::string name, KeyKind kind,
                           std::string meaning) -> ConfigKey& {
    ConfigKey k;
    k.section = std::move(section_name);
    k.name = std::move(name);
    k.kind = kind;
    k.meaning = std::move(meaning);
    keys.push_back(std::move(k));
    return keys.back();
  };
  const auto finish = [](ConfigKey& k, auto section, auto field) { bind(k, section, field); };
  const Bound zero{0, true}, positive{0, false};
  using C = RegistrationConfig;

  {
    using S = InitialisationConfig;
    const auto sec = &C::initialisation;
    ConfigKey* k = &add("initialisation", "mode", KeyKind::kChoice,
                        "starting affine map: translation between intensity centres of mass, "
                        "identity, or read from `file`");
    k->choices = {"moments", "none", "file"};
    finish(*k, sec, &S::mode);
    k = &add("initialisation", "file", KeyKind::kPath,
             "`transform.json` (its affine part) or ITK transform text file");
    k->range_text = "a path; needed when `mode` is `file`";
    finish(*k, sec, &S::file);
    k = &add("initialisation", "rigid", KeyKind::kBool, "run the rigid stage");
    finish(*k, sec, &S::rigid);
    k = &add("initialisation", "affine", KeyKind::kBool, "run the affine stage");
    finish(*k, sec, &S::affine);
    k = &add("initialisation", "metric", KeyKind::kChoice,
             "image term of the rigid and affine stages");
    k->choices = {"ncc", "mi", "ssd", "lncc"};
    finish(*k, sec, &S::metric);
    k = &add("initialisation", "level_spacings_mm",
             KeyKind::kNumberList, "image spacing of each rigid/affine level");
    k->low = positive;
    k->non_empty = true;
    finish(*k, sec, &S::level_spacings_mm);
    k = &add("initialisation", "iterations", KeyKind::kInteger,
             "iterations per level and stage");
    k->low = zero;
    k->range_note = "(0 skips both stages)";
    finish(*k, sec, &S::iterations);
  }
  {
    using S = DeformableConfig;
    const auto sec = &C::deformable;
    ConfigKey* k = &add("deformable", "model", KeyKind::kChoice,
                        "deformable model after the affine map");
    k->choices = {"bspline", "svf", "none"};
    finish(*k, sec, &S::model);
    k = &add("deformable", "levels", KeyKind::kInteger, "pyramid levels");
    k->low = Bound{1, true};
    k->high = Bound{6, true};
    finish(*k, sec, &S::levels);
    k = &add("deformable", "grid_spacing_mm", KeyKind::kNumber,
             "control point spacing at the finest level (doubled per coarser level)");
    k->low = Bound{2, true};
    finish(*k, sec, &S::grid_spacing_mm);
    k = &add("deformable", "finest_image_spacing_mm",
             KeyKind::kNumber,
             "image spacing at the finest level (doubled per coarser level; never finer than "
             "the scan)");
    k->low = positive;
    finish(*k, sec, &S::finest_image_spacing_mm);
    k = &add("deformable", "iterations", KeyKind::kIntegerList,
             "iterations per level");
    k->low = zero;
    k->range_text = "one number, or one per level; each ≥ 0";
    finish(*k, sec, &S::iterations);
  }
  {
    using S = ImageTermConfig;
    const auto sec = &C::image;
    ConfigKey* k = &add("image", "metric", KeyKind::kChoice,
                        "image term of the deformable stage");
    k->choices = image_metric_names();
    finish(*k, sec, &S::metric);
    k = &add("image", "weight", KeyKind::kNumber,
             "weight of the image term (all stages)");
    k->low = zero;
    k->range_note = "(0: guidance alone)";
    finish(*k, sec, &S::weight);
    k = &add("image", "window", KeyKind::kChoice, "LNCC window");
    k->choices = {"box", "gaussian"};
    finish(*k, sec, &S::window);
    k = &add("image", "radius_mm", KeyKind::kNumber,
             "LNCC window half-width (box) or σ (gaussian), mm");
    k->low = positive;
    finish(*k, sec, &S::radius_mm);
    k = &add("image", "bins", KeyKind::kInteger, "MI histogram bins");
    k->low = Bound{8, true};
    k->high = Bound{256, true};
    finish(*k, sec, &S::bins);
    k = &add("image", "mind_radius", KeyKind::kInteger,
             "MIND patch radius, voxels");
    k->low = Bound{1, true};
    finish(*k, sec, &S::mind_radius);
    k = &add("image", "mind_dilation", KeyKind::kInteger,
             "MIND neighbour distance, voxels");
    k->low = Bound{1, true};
    finish(*k, sec, &S::mind_dilation);
    k = &add("image", "mask", KeyKind::kChoice,
             "where image terms count without --fixed-mask: body (inside the patient's outline on "
             "a CT fixed scan) or none (every voxel)");
    k->choices = {"body", "none"};
    finish(*k, sec, &S::mask);
  }
  {
    using S = GuidanceConfig;
    const auto sec = &C::guidance;
    ConfigKey* k = &add("guidance", "label_weight", KeyKind::kNumber,
                        "weight of the label distance term, per mm² (used when both label maps "
                        "are given)");
    k->low = zero;
    finish(*k, sec, &S::label_weight);
    k = &add("guidance", "band_mm", KeyKind::kNumber,
             "fixed voxels within this distance of an organ's surface count");
    k->low = positive;
    finish(*k, sec, &S::band_mm);
    k = &add("guidance", "sample_spacing_mm", KeyKind::kNumber,
             "the label term samples its band at about this spacing: every k-th voxel along "
             "each axis, k the nearest whole number to this over the level's spacing (at least "
             "1). The term is a mean over the band, which the sample estimates; on a guided "
             "medium pair it cut the registration time by 12% with the same TRE (0.75 mm) and "
             "Dice");
    k->low = zero;
    k->range_note = "(0: every voxel)";
    finish(*k, sec, &S::sample_spacing_mm);
    k = &add("guidance", "label_loss", KeyKind::kChoice,
             "how label residuals count: Tukey's biweight with a per-organ scale (robust to "
             "regions of wrong labels), or plain squares");
    k->choices = {"tukey", "squared"};
    finish(*k, sec, &S::label_loss);
    k = &add("guidance", "min_component_fraction",
             KeyKind::kNumber,
             "an organ's components smaller than this fraction of its largest one do not guide "
             "(reported and warned about)");
    k->low = zero;
    k->high = Bound{1, true};
    k->range_note = "(0: keep all)";
    finish(*k, sec, &S::min_component_fraction);
    k = &add("guidance", "organ_weights", KeyKind::kOrganWeights,
             "relative weight per organ label (unlisted: 1; 0 drops the organ)");
    k->range_text = "`{\"label\": weight ≥ 0}`";
    finish(*k, sec, &S::organ_weights);
    k = &add("guidance", "ignore_labels", KeyKind::kIntegerList,
             "labels that never guide (e.g. `[1]`, the body outline)");
    k->range_text = "whole numbers";
    finish(*k, sec, &S::ignore_labels);
    k = &add("guidance", "landmark_weight", KeyKind::kNumber,
             "weight of the landmark term, per mm², for given landmarks (both landmark files, "
             "or Python's pairs)");
    k->low = zero;
    finish(*k, sec, &S::landmark_weight);
    k = &add("guidance", "auto_landmark_weight", KeyKind::kNumber,
             "weight of the landmark term, per mm², when modir matched the landmarks itself "
             "(`--landmarks auto`): they are about as precise as the registration, and count "
             "less than landmark files");
    k->low = zero;
    finish(*k, sec, &S::auto_landmark_weight);
  }
  {
    using S = RegularityConfig;
    const auto sec = &C::regularity;
    ConfigKey* k = &add("regularity", "bending_weight", KeyKind::kNumber,
                        "weight of the bending energy (its values are small, ~10⁻⁴ mm⁻², see "
                        "\"Why these defaults\")");
    k->low = zero;
    finish(*k, sec, &S::bending_weight);
    k = &add("regularity", "elastic_weight", KeyKind::kNumber,
             "weight of the linear elastic energy");
    k->low = zero;
    finish(*k, sec, &S::elastic_weight);
    k = &add("regularity", "elastic_mu", KeyKind::kNumber,
             "its shear and stretch modulus μ");
    k->low = zero;
    finish(*k, sec, &S::elastic_mu);
    k = &add("regularity", "elastic_lambda", KeyKind::kNumber,
             "its volume change modulus λ");
    k->low = zero;
    finish(*k, sec, &S::elastic_lambda);
    k = &add("regularity", "jacobian_weight", KeyKind::kNumber,
             "weight of the penalty on small Jacobian determinants (a guard against folds)");
    k->low = zero;
    finish(*k, sec, &S::jacobian_weight);
    k = &add("regularity", "jacobian_threshold", KeyKind::kNumber,
             "determinants below this are penalised (τ)");
    k->low = positive;
    k->high = Bound{1, false};
    finish(*k, sec, &S::jacobian_threshold);
  }
  {
    using S = RigidityConfig;
    const auto sec = &C::rigidity;
    ConfigKey* k = &add("rigidity", "weight", KeyKind::kNumber,
                        "weight of the rigidity penalty (0: off)");
    k->low = zero;
    finish(*k, sec, &S::weight);
    k = &add("rigidity", "label_mask_scale", KeyKind::kNumber,
             "multiplies `weight` when the mask is drawn bone (labels or `--rigidity-mask`) "
             "rather than thresholded HU");
    k->low = zero;
    finish(*k, sec, &S::label_mask_scale);
    k = &add("rigidity", "mask", KeyKind::kChoice,
             "where bone comes from: the fixed labels in `labels` when present, else HU "
             "(`auto`); labels only (an error without them); HU only. `--rigidity-mask` "
             "overrides it");
    k->choices = {"auto", "labels", "intensity"};
    finish(*k, sec, &S::mask);
    k = &add("rigidity", "labels", KeyKind::kIntegerList,
             "the labels that move rigidly");
    k->low = Bound{1, true};
    k->high = Bound{65535, true};
    k->range_text = "labels 1..65535";
    finish(*k, sec, &S::labels);
    k = &add("rigidity", "hu_threshold", KeyKind::kNumber,
             "fixed voxels above it are bone for the intensity mask");
    k->range_text = "a number";
    finish(*k, sec, &S::hu_threshold);
    k = &add("rigidity", "min_component_ml", KeyKind::kNumber,
             "intensity-mask pieces smaller than this are left out");
    k->low = zero;
    finish(*k, sec, &S::min_component_ml);
    k = &add("rigidity", "sample_spacing_mm", KeyKind::kNumber,
             "mask voxels sampled at about this spacing: every k-th voxel along each axis, k the "
             "nearest whole number to this over the level's spacing (0: every voxel)");
    k->low = zero;
    finish(*k, sec, &S::sample_spacing_mm);
    k = &add("rigidity", "orthonormality", KeyKind::kNumber,
             "weight w_o of Σ((JᵀJ − I)_ij)²");
    k->low = zero;
    finish(*k, sec, &S::orthonormality);
    k = &add("rigidity", "properness", KeyKind::kNumber,
             "weight w_p of (det J − 1)²");
    k->low = zero;
    finish(*k, sec, &S::properness);
    k = &add("rigidity", "affinity", KeyKind::kNumber,
             "weight w_a of s² Σ \\|H\\|²");
    k->low = zero;
    finish(*k, sec, &S::affinity);
  }
  {
    using S = OptimizerConfig;
    const auto sec = &C::optimizer;
    ConfigKey* k = &add("optimizer", "memory", KeyKind::kInteger,
                        "L-BFGS correction pairs kept");
    k->low = Bound{1, true};
    k->high = Bound{50, true};
    finish(*k, sec, &S::memory);
    k = &add("optimizer", "relative_tolerance", KeyKind::kNumber,
             "a level stops when the relative decrease stays below this ...");
    k->low = zero;
    finish(*k, sec, &S::relative_tolerance);
    k = &add("optimizer", "patience", KeyKind::kInteger,
             "... for this many iterations in a row");
    k->low = Bound{1, true};
    finish(*k, sec, &S::patience);
  }
  {
    using S = FrontConfig;
    const auto sec = &C::front;
    ConfigKey* k = &add("front", "solutions", KeyKind::kInteger,
                        "solutions of the front (`--pareto N` sets it)");
    k->low = Bound{2, true};
    k->high = Bound{200, true};
    finish(*k, sec, &S::solutions);
    k = &add("front", "iterations", KeyKind::kInteger,
             "L-BFGS iterations per solution after the first (each starts from its nearest "
             "solved neighbour)");
    k->low = Bound{1, true};
    finish(*k, sec, &S::iterations);
    k = &add("front", "polish_steps", KeyKind::kInteger,
             "common-descent steps after the first solution (see \"How the front is computed\")");
    k->low = zero;
    finish(*k, sec, &S::polish_steps);
    k = &add("front", "warm_curvature", KeyKind::kBool,
             "warm starts also take the neighbour's L-BFGS curvature pairs");
    finish(*k, sec, &S::warm_curvature);
    k = &add("front", "decades", KeyKind::kNumber,
             "the weight multipliers span 10^−decades … 10^+decades around the config's weights");
    k->low = positive;
    k->high = Bound{4, true};
    finish(*k, sec, &S::decades);
    k = &add("front", "extra_fraction", KeyKind::kNumber,
             "extra runs allowed to fill gaps in the front, as a fraction of N");
    k->low = zero;
    k->high = Bound{2, true};
    finish(*k, sec, &S::extra_fraction);
  }
  return keys;
}

std::string number_text(double v) { return fmt::format("{:g}", v); }

// "≥ 0", "> 0", "1 – 6", "(0, 1)", "[0, 2]": the range the bounds allow, for the docs.
std::string bounds_text(const ConfigKey& k) {
  if (k.low && k.high) {
    if (k.low->inclusive && k.high->inclusive && (k.kind == KeyKind::kInteger))
      return fmt::format("{} – {}", number_text(k.low->value), number_text(k.high->value));
    return fmt::format("{}{}, {}{}", k.low->inclusive ? "[" : "(", number_text(k.low->value),
                       number_text(k.high->value), k.high->inclusive ? "]" : ")");
  }
  if (k.low) return fmt::format("{} {}", k.low->inclusive ? "≥" : ">", number_text(k.low->value));
  if (k.high)
    return fmt::format("{} {}", k.high->inclusive ? "≤" : "<", number_text(k.high->value));
  return "";
}

// The words of a range check's error: "must be >= 0", "must be between 1 and 6", ...
std::string bounds_words(const ConfigKey& k) {
  if (k.low && k.high) {
    if (k.low->inclusive && k.high->inclusive)
      return fmt::format("between {} and {}", number_text(k.low->value),
                         number_text(k.high->value));
    return fmt::format("in {}", bounds_text(k));
  }
  if (k.low) {
    if (!k.low->inclusive && k.low->value == 0) return "positive";
    return fmt::format("{} {}", k.low->inclusive ? ">=" : ">", number_text(k.low->value));
  }
  if (k.high)
    return fmt::format("{} {}", k.high->inclusive ? "<=" : "<", number_text(k.high->value));
  return "a finite number";
}

bool within(const ConfigKey& k, double v) {
  if (!std::isfinite(v)) return false;
  if (k.low && (k.low->inclusive ? v < k.low->value : v <= k.low->value)) return false;
  if (k.high && (k.high->inclusive ? v > k.high->value : v >= k.high->value)) return false;
  return true;
}

std::string default_text(const json& v) {
  if (v.is_number()) return "`" + number_text(v.get<double>()) + "`";
  if (v.is_array()) {
    std::string out;
    for (const json& e : v) out += (out.empty() ? "" : ", ") + number_text(e.get<double>());
    return "`[" + out + "]`";
  }
  return "`" + v.dump() + "`";
}

std::string range_column(const ConfigKey& k) {
  std::string range = k.range_text;
  if (range.empty()) {
    if (k.kind == KeyKind::kChoice) {
      for (const std::string& c : k.choices) range += (range.empty() ? "`" : ", `") + c + "`";
    } else if (k.kind == KeyKind::kBool) {
      range = "`true`, `false`";
    } else {
      range = bounds_text(k);
      if (k.non_empty) range = "at least one, each " + range;
    }
  }
  if (!k.range_note.empty()) range += " " + k.range_note;
  return range;
}

}  // namespace

const std::vector<ConfigSection>& config_sections() {
  static const std::vector<ConfigSection> sections = {
      {"initialisation", ""}, {"deformable", ""}, {"image", ""},     {"guidance", ""},
      {"regularity", ""},     {"rigidity", ""},   {"optimizer", ""}, {"front", "(only with `--pareto N`)"}};
  return sections;
}

const std::vector<ConfigKey>& config_keys() {
  static const std::vector<ConfigKey> keys = describe();
  return keys;
}

void check_range(const ConfigKey& k, const RegistrationConfig& config) {
  const json v = k.get(config);
  const std::string path = k.section + "." + k.name;
  if (k.kind == KeyKind::kNumber || k.kind == KeyKind::kInteger) {
    if (!within(k, v.get<double>()))
      throw usage_error("config: {} must be {}, got {}", path, bounds_words(k),
                        number_text(v.get<double>()));
  } else if (k.kind == KeyKind::kNumberList || k.kind == KeyKind::kIntegerList) {
    if (k.non_empty && v.empty())
      throw usage_error("config: {} needs at least one value", path);
    for (const json& e : v) {
      if (!within(k, e.get<double>()))
        throw usage_error("config: every value of {} must be {}, got {}", path, bounds_words(k),
                          number_text(e.get<double>()));
    }
  }
}

std::string config_reference_markdown() {
  const RegistrationConfig defaults;
  std::string out;
  for (const ConfigSection& s : config_sections()) {
    out += fmt::format("### `{}`{}\n", s.name, s.heading_note.empty() ? "" : " " + s.heading_note);
    out += "| key | default | range | meaning |\n|---|---|---|---|\n";
    for (const ConfigKey& k : config_keys()) {
      if (k.section != s.name) continue;
      out += fmt::format("| `{}` | {} | {} | {} |\n", k.name, default_text(k.get(defaults)),
                         range_column(k), k.meaning);
    }
    out += "\n";
  }
  return out;
}

}  // namespace modir::reg
