#include "modir/register/front_file.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>

#include <fmt/format.h>

#include "modir/core/error.h"
#include "modir/optimize/pareto/dominance.h"
#include "modir/optimize/pareto/hypervolume.h"

namespace modir::reg {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Checks pieces of one front.json; every error names the file and the entry.
class FrontReader {
 public:
  explicit FrontReader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw data_error("{}: {} {}", file_, where, what);
  }

  const json& member(const json& object, const std::string& key, const std::string& where) const {
    if (!object.is_object() || !object.contains(key))
      fail(where, fmt::format("has no \"{}\"", key));
    return object.at(key);
  }

  double number(const json& j, const std::string& where) const {
    if (!j.is_number()) fail(where, "must be a number");
    const double v = j.get<double>();
    if (!std::isfinite(v)) fail(where, "must be finite");
    return v;
  }

  // A number, or null (NaN figures are written as null).
  double number_or_null(const json& j, const std::string& where) const {
    if (j.is_null()) return std::numeric_limits<double>::quiet_NaN();
    return number(j, where);
  }

  std::string text(const json& j, const std::string& where) const {
    if (!j.is_string()) fail(where, "must be a string");
    return j.get<std::string>();
  }

  std::vector<double> numbers(const json& j, std::size_t count, const std::string& where) const {
    if (!j.is_array() || j.size() != count)
      fail(where, fmt::format("must be a list of {} numbers (one per objective)", count));
    std::vector<double> out;
    for (std::size_t i = 0; i < count; ++i)
      out.push_back(number(j[i], fmt::format("{}[{}]", where, i)));
    return out;
  }

  std::map<std::string, double> number_map(const json& j, const std::string& where) const {
    if (!j.is_object()) fail(where, "must be an object of numbers");
    std::map<std::string, double> out;
    for (const auto& [key, value] : j.items())
      out[key] = number(value, fmt::format("{}[\"{}\"]", where, key));
    return out;
  }

 private:
  std::string file_;
};

std::vector<std::string> read_objectives(const FrontReader& r, const json& root) {
  const json& names = r.member(root, "objectives", "the front");
  if (!names.is_array() || names.size() < 2 || names.size() > 3)
    r.fail("\"objectives\"", "must list 2 or 3 objective names");
  std::vector<std::string> out;
  std::size_t previous = 0;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string name = r.text(names[i], fmt::format("objectives[{}]", i));
    const auto it = std::find(kFrontObjectiveNames.begin(), kFrontObjectiveNames.end(), name);
    if (it == kFrontObjectiveNames.end())
      r.fail(fmt::format("objectives[{}]", i),
             fmt::format("is \"{}\"; the objectives are image, guidance and deformation", name));
    const auto position = static_cast<std::size_t>(it - kFrontObjectiveNames.begin());
    if (i > 0 && position <= previous)
      r.fail("\"objectives\"",
             "must name each objective once, in the order image, guidance, deformation");
    previous = position;
    out.push_back(name);
  }
  return out;
}

bool safe_relative_path(const std::string& path) {
  const fs::path p(path);
  if (path.empty() || p.is_absolute() || p.has_root_name()) return false;
  return std::none_of(p.begin(), p.end(), [](const fs::path& part) { return part == ".."; });
}

FrontEntry read_entry(const FrontReader& r, const json& j, std::size_t k, std::size_t objectives) {
  const std::string where = fmt::format("solutions[{}]", k);
  if (!j.is_object()) r.fail(where, "must be an object");
  const json& index = r.member(j, "index", where);
  if (!index.is_number_unsigned() || index.get<std::size_t>() != k)
    r.fail(where + ".index", fmt::format("must be {} (solutions are listed in order)", k));
  FrontEntry e;
  e.raw = j;
  const json& weights = r.member(j, "weights", where);
  if (!weights.is_object()) r.fail(where + ".weights", "must be an object of numbers");
  for (const auto& [name, value] : weights.items())
    e.weights.emplace_back(name, r.number(value, fmt::format("{}.weights.{}", where, name)));
  e.objectives = r.numbers(r.member(j, "objectives", where), objectives, where + ".objectives");
  if (j.contains("organ_distance_mm")) {
    e.organ_distance_mm = r.number_map(j.at("organ_distance_mm"), where + ".organ_distance_mm");
    for (const auto& [organ, mm] : e.organ_distance_mm)
      if (mm < 0)
        r.fail(where + ".organ_distance_mm", fmt::format("has a negative distance for {}", organ));
  }
  if (j.contains("landmark_rms_mm"))
    e.landmark_rms_mm = r.number(j.at("landmark_rms_mm"), where + ".landmark_rms_mm");
  e.folded_fraction = r.number(r.member(j, "folded_fraction", where), where + ".folded_fraction");
  if (e.folded_fraction < 0 || e.folded_fraction > 1)
    r.fail(where + ".folded_fraction", "must lie in [0, 1]");
  e.jacobian_min = j.contains("jacobian_min")
                       ? r.number_or_null(j.at("jacobian_min"), where + ".jacobian_min")
                       : std::numeric_limits<double>::quiet_NaN();
  e.transform = r.text(r.member(j, "transform", where), where + ".transform");
  if (!safe_relative_path(e.transform))
    r.fail(where + ".transform",
           "must be a path inside the front's folder, like solutions/solution_00.json");
  if (j.contains("truth")) {
    const json& t = j.at("truth");
    const std::string tw = where + ".truth";
    FrontTruthScores truth;
    truth.tre_mean_mm = r.number_or_null(r.member(t, "tre_mean_mm", tw), tw + ".tre_mean_mm");
    truth.tre_p95_mm = r.number_or_null(r.member(t, "tre_p95_mm", tw), tw + ".tre_p95_mm");
    truth.dice = r.number_map(r.member(t, "dice", tw), tw + ".dice");
    e.truth = truth;
  }
  return e;
}

std::map<std::string, FrontInput> read_inputs(const FrontReader& r, const json& root) {
  std::map<std::string, FrontInput> inputs;
  if (!root.contains("inputs")) return inputs;
  const json& all = root.at("inputs");
  if (!all.is_object()) r.fail("\"inputs\"", "must be an object");
  for (const auto& [name, entry] : all.items()) {
    const std::string where = "inputs." + name;
    FrontInput in;
    in.path = r.text(r.member(entry, "path", where), where + ".path");
    in.sha256 = r.text(r.member(entry, "sha256", where), where + ".sha256");
    if (in.sha256.size() != 64 ||
        in.sha256.find_first_not_of("0123456789abcdef") != std::string::npos)
      r.fail(where + ".sha256", "must be 64 lower-case hexadecimal digits");
    if (entry.is_object() && entry.contains("series"))
      in.series = r.text(entry.at("series"), where + ".series");
    inputs[name] = in;
  }
  return inputs;
}

}  // namespace

std::optional<std::pair<std::string, double>> FrontEntry::worst_organ() const {
  if (organ_distance_mm.empty()) return std::nullopt;
  const auto it =
      std::max_element(organ_distance_mm.begin(), organ_distance_mm.end(),
                       [](const auto& a, const auto& b) { return a.second < b.second; });
  return *it;
}

std::optional<std::size_t> Front::objective_index(const std::string& name) const {
  const auto it = std::find(objectives.begin(), objectives.end(), name);
  if (it == objectives.end()) return std::nullopt;
  return static_cast<std::size_t>(it - objectives.begin());
}

bool Front::has_organ_distances() const {
  return !solutions.empty() && !solutions.front().organ_distance_mm.empty();
}

bool Front::has_truth() const {
  return std::any_of(solutions.begin(), solutions.end(),
                     [](const FrontEntry& e) { return e.truth.has_value(); });
}

Front read_front(const fs::path& path) {
  std::error_code ec;
  const bool is_dir = fs::is_directory(path, ec);
  const fs::path file = is_dir ? path / "front.json" : path;
  if (!fs::is_regular_file(file, ec)) {
    throw data_error(
        "{} does not exist; a front folder holds the front.json written by "
        "'modir register --pareto N --out DIR'",
        file.string());
  }
  std::ifstream stream(file);
  if (!stream) throw data_error("{} cannot be opened", file.string());
  const json root = json::parse(stream, nullptr, false);
  if (root.is_discarded()) throw data_error("{} is not valid JSON", file.string());
  const FrontReader r(file.string());
  if (!root.is_object() || !root.contains("format") || root.at("format") != "modir front")
    r.fail("the file", "is not a front: its \"format\" must be \"modir front\"");

  Front front;
  front.dir = is_dir ? path : file.parent_path();
  if (front.dir.empty()) front.dir = ".";
  if (root.contains("modir_version"))
    front.modir_version = r.text(root.at("modir_version"), "modir_version");
  front.objectives = read_objectives(r, root);
  const std::size_t m = front.objectives.size();
  if (root.contains("objective_descriptions")) {
    const json& d = root.at("objective_descriptions");
    if (!d.is_object()) r.fail("\"objective_descriptions\"", "must be an object");
    for (const auto& [name, text] : d.items())
      front.objective_descriptions[name] = r.text(text, "objective_descriptions." + name);
  }
  if (root.contains("normalisation")) {
    const json& n = root.at("normalisation");
    front.ideal = r.numbers(r.member(n, "ideal", "normalisation"), m, "normalisation.ideal");
    front.nadir = r.numbers(r.member(n, "nadir", "normalisation"), m, "normalisation.nadir");
    for (std::size_t i = 0; i < m; ++i)
      if ((*front.nadir)[i] < (*front.ideal)[i])
        r.fail("normalisation", fmt::format("has nadir < ideal for {}", front.objectives[i]));
  }
  front.hypervolume = r.number(r.member(root, "hypervolume", "the front"), "hypervolume");
  front.inputs = read_inputs(r, root);

  const json& solutions = r.member(root, "solutions", "the front");
  if (!solutions.is_array() || solutions.empty())
    r.fail("\"solutions\"", "must be a non-empty list");
  for (std::size_t k = 0; k < solutions.size(); ++k)
    front.solutions.push_back(read_entry(r, solutions[k], k, m));
  const bool organs = front.has_organ_distances();
  for (std::size_t k = 0; k < front.solutions.size(); ++k)
    if (front.solutions[k].organ_distance_mm.empty() == organs)
      r.fail(fmt::format("solutions[{}]", k),
             "must have organ_distance_mm like solutions[0], or neither");

  const json& knee = r.member(root, "knee", "the front");
  if (!knee.is_number_unsigned() || knee.get<std::size_t>() >= front.solutions.size())
    r.fail("\"knee\"", fmt::format("must be a solution index, 0..{}", front.solutions.size() - 1));
  front.knee = knee.get<std::size_t>();
  return front;
}

FrontStatistics front_statistics(const Front& front) {
  namespace pareto = optimize::pareto;
  FrontStatistics s;
  const std::size_t m = front.objectives.size();
  s.solutions = front.solutions.size();
  s.minimum.assign(m, std::numeric_limits<double>::infinity());
  s.maximum.assign(m, -std::numeric_limits<double>::infinity());
  std::vector<pareto::Point> admissible;
  for (const FrontEntry& e : front.solutions) {
    for (std::size_t i = 0; i < m; ++i) {
      s.minimum[i] = std::min(s.minimum[i], e.objectives[i]);
      s.maximum[i] = std::max(s.maximum[i], e.objectives[i]);
    }
    if (e.folded_fraction > 0)
      ++s.folded;
    else
      admissible.push_back(e.objectives);
  }
  s.non_dominated = pareto::non_dominated_indices(admissible).size();
  if (front.ideal && front.nadir) {
    const pareto::Point reference(m, pareto::kReportReference);
    s.hypervolume =
        pareto::hypervolume(pareto::normalise(admissible, *front.ideal, *front.nadir), reference);
  }

  for (std::size_t k = 0; k < front.solutions.size(); ++k) {
    const auto& truth = front.solutions[k].truth;
    if (!truth) continue;
    if (std::isfinite(truth->tre_mean_mm) &&
        (!s.best_tre_mean_mm || truth->tre_mean_mm < s.best_tre_mean_mm->second))
      s.best_tre_mean_mm = {{k, truth->tre_mean_mm}};
    double sum = 0.0;
    for (const auto& [organ, dice] : truth->dice) {
      sum += dice;
      const auto it = s.best_dice.find(organ);
      if (it == s.best_dice.end() || dice > it->second.second) s.best_dice[organ] = {k, dice};
    }
    if (!truth->dice.empty()) {
      const double mean = sum / static_cast<double>(truth->dice.size());
      if (!s.best_mean_dice || mean > s.best_mean_dice->second) s.best_mean_dice = {{k, mean}};
    }
  }
  return s;
}

json to_json(const FrontStatistics& s, const Front& front) {
  json objectives = json::array();
  for (std::size_t i = 0; i < front.objectives.size(); ++i)
    objectives.push_back(
        {{"name", front.objectives[i]}, {"min", s.minimum[i]}, {"max", s.maximum[i]}});
  json out = {{"path", front.dir.string()},
              {"solutions", s.solutions},
              {"folded", s.folded},
              {"non_dominated", s.non_dominated},
              {"hypervolume", s.hypervolume ? json(*s.hypervolume) : json(nullptr)},
              {"hypervolume_recorded", front.hypervolume},
              {"knee", front.knee},
              {"objectives", objectives}};
  if (front.has_truth()) {
    json truth = json::object();
    if (s.best_tre_mean_mm)
      truth["best_tre_mean_mm"] = {{"index", s.best_tre_mean_mm->first},
                                   {"value", s.best_tre_mean_mm->second}};
    if (s.best_mean_dice)
      truth["best_mean_dice"] = {{"index", s.best_mean_dice->first},
                                 {"value", s.best_mean_dice->second}};
    json dice = json::object();
    for (const auto& [organ, best] : s.best_dice)
      dice[organ] = {{"index", best.first}, {"value", best.second}};
    truth["best_dice"] = dice;
    out["truth"] = truth;
  }
  return out;
}

}  // namespace modir::reg
