#include "modir/register/front_pick.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>

#include <fmt/format.h>

#include "modir/core/error.h"

namespace modir::reg {

namespace {

// One upper bound on a quantity of a solution.
struct Limit {
  std::string option;  ///< e.g. "--max-guidance"
  std::string what;    ///< e.g. "guidance"
  std::string unit;    ///< " mm" or ""
  double bound = 0.0;
  std::function<double(const FrontEntry&)> value;
  std::function<std::string(const FrontEntry&)> detail;  ///< the value in words
};

std::string number(double v) {
  return fmt::format("{:.4g}", v);
}

std::string objective_unit(const std::string& name) {
  return name == "guidance" ? " mm" : "";
}

std::vector<Limit> limits_of(const PickRules& rules, const Front& front) {
  std::vector<Limit> limits;
  const std::pair<const char*, const std::optional<double>*> objective_limits[] = {
      {"image", &rules.max_image},
      {"guidance", &rules.max_guidance},
      {"deformation", &rules.max_deformation}};
  for (const auto& [name, bound] : objective_limits) {
    if (!*bound) continue;
    const std::size_t i = front.objective_index(name).value();  // check_rules made sure
    const std::string what = name, unit = objective_unit(name);
    limits.push_back({fmt::format("--max-{}", name), what, unit, **bound,
                      [i](const FrontEntry& e) { return e.objectives[i]; },
                      [i, what, unit](const FrontEntry& e) {
                        return fmt::format("{} {}{}", what, number(e.objectives[i]), unit);
                      }});
  }
  if (rules.max_organ_mm) {
    limits.push_back({"--max-organ-mm", "every organ", " mm", *rules.max_organ_mm,
                      [](const FrontEntry& e) { return e.worst_organ()->second; },
                      [](const FrontEntry& e) {
                        const auto worst = *e.worst_organ();
                        return fmt::format("organ {} at {} mm", worst.first, number(worst.second));
                      }});
  }
  limits.push_back({"--max-folded", "folded fraction", "", rules.max_folded.value_or(0.0),
                    [](const FrontEntry& e) { return e.folded_fraction; },
                    [](const FrontEntry& e) {
                      return fmt::format("folded fraction {}", number(e.folded_fraction));
                    }});
  return limits;
}

bool meets(const FrontEntry& e, const std::vector<Limit>& limits) {
  return std::all_of(limits.begin(), limits.end(),
                     [&](const Limit& l) { return l.value(e) <= l.bound; });
}

// "misses --max-guidance 2 by 0.35 mm (guidance 2.35 mm) and ..."
std::string misses(const FrontEntry& e, const std::vector<Limit>& limits) {
  std::string out;
  for (const Limit& l : limits) {
    const double excess = l.value(e) - l.bound;
    if (excess <= 0) continue;
    out += fmt::format("{}{} {} by {}{} ({})", out.empty() ? "misses " : " and ", l.option,
                       number(l.bound), number(excess), l.unit, l.detail(e));
  }
  return out;
}

// The solution missing the limits least: the sum of its excesses, each divided by the spread of
// that quantity over the front, so millimetres and fractions add up fairly.
std::size_t closest_solution(const Front& front, const std::vector<Limit>& limits) {
  std::vector<double> spread;
  for (const Limit& l : limits) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const FrontEntry& e : front.solutions) {
      lo = std::min(lo, l.value(e));
      hi = std::max(hi, l.value(e));
    }
    spread.push_back(hi > lo ? hi - lo : 1.0);
  }
  std::size_t best = 0;
  double best_miss = std::numeric_limits<double>::infinity();
  for (std::size_t k = 0; k < front.solutions.size(); ++k) {
    double miss = 0.0;
    for (std::size_t i = 0; i < limits.size(); ++i)
      miss += std::max(0.0, limits[i].value(front.solutions[k]) - limits[i].bound) / spread[i];
    if (miss < best_miss) {
      best_miss = miss;
      best = k;
    }
  }
  return best;
}

}  // namespace

bool any_rule(const PickRules& rules) {
  return rules.knee || !rules.minimise.empty() || rules.index || rules.max_image ||
         rules.max_guidance || rules.max_deformation || rules.max_organ_mm || rules.max_folded;
}

void check_rule_consistency(const PickRules& rules) {
  if (rules.knee && !rules.minimise.empty())
    throw usage_error("--knee and --minimise are two different rules; give one of them");
  if (rules.index && (rules.knee || !rules.minimise.empty()))
    throw usage_error("--index names the solution itself; leave out --knee and --minimise");
  if (rules.max_folded && (*rules.max_folded < 0 || *rules.max_folded > 1))
    throw usage_error("--max-folded {} must lie in [0, 1] (a fraction of the voxels)",
                      *rules.max_folded);
  const bool any_limit = rules.max_image || rules.max_guidance || rules.max_deformation ||
                         rules.max_organ_mm || rules.max_folded;
  if (any_limit && !rules.knee && rules.minimise.empty() && !rules.index)
    throw usage_error(
        "limits choose among solutions: add --minimise image|guidance|deformation to say what to "
        "make smallest among those meeting them, or --knee to check the knee against them");
}

void check_rules(const PickRules& rules, const Front& front) {
  check_rule_consistency(rules);
  std::string names;
  for (const std::string& name : front.objectives) names += (names.empty() ? "" : ", ") + name;
  auto need_objective = [&](const std::string& name, const std::string& option) {
    if (!front.objective_index(name))
      throw usage_error("{}: this front has no {} objective (it has {})", option, name, names);
  };
  if (!rules.minimise.empty()) need_objective(rules.minimise, "--minimise " + rules.minimise);
  if (rules.index && *rules.index >= front.solutions.size())
    throw usage_error("--index {}: this front has {} solutions (0..{})", *rules.index,
                      front.solutions.size(), front.solutions.size() - 1);
  if (rules.max_image) need_objective("image", "--max-image");
  if (rules.max_guidance) need_objective("guidance", "--max-guidance");
  if (rules.max_deformation) need_objective("deformation", "--max-deformation");
  if (rules.max_organ_mm && !front.has_organ_distances())
    throw usage_error(
        "--max-organ-mm: this front has no organ distances (it was registered without label "
        "guidance)");
}

nlohmann::json rules_json(const PickRules& r) {
  nlohmann::json limits = nlohmann::json::object();
  if (r.max_image) limits["max_image"] = *r.max_image;
  if (r.max_guidance) limits["max_guidance_mm"] = *r.max_guidance;
  if (r.max_deformation) limits["max_deformation"] = *r.max_deformation;
  if (r.max_organ_mm) limits["max_organ_mm"] = *r.max_organ_mm;
  limits["max_folded"] = r.max_folded.value_or(0.0);
  const char* rule = r.index ? "index" : r.minimise.empty() ? "knee" : "minimise";
  nlohmann::json out = {{"rule", rule}, {"limits", limits}};
  if (!r.minimise.empty()) out["minimise"] = r.minimise;
  if (r.index) out["index"] = *r.index;
  return out;
}

PickRules parse_pick_rules(const nlohmann::json& json) {
  static constexpr const char* kKeys =
      "knee, minimise, index, max_image, max_guidance, max_deformation, max_organ_mm, max_folded";
  if (!json.is_object()) throw usage_error("pick rules must be an object with keys {}", kKeys);
  PickRules rules;
  const auto number = [](const std::string& key, const nlohmann::json& value) {
    if (!value.is_number()) throw usage_error("pick rule '{}' must be a number", key);
    return value.get<double>();
  };
  for (const auto& [key, value] : json.items()) {
    if (key == "knee") {
      if (!value.is_boolean()) throw usage_error("pick rule 'knee' must be true or false");
      rules.knee = value.get<bool>();
    } else if (key == "minimise") {
      if (!value.is_string() || (value != "image" && value != "guidance" && value != "deformation"))
        throw usage_error("pick rule 'minimise' must be image, guidance or deformation");
      rules.minimise = value.get<std::string>();
    } else if (key == "index") {
      if (!value.is_number_integer() || value.get<std::int64_t>() < 0)
        throw usage_error("pick rule 'index' must be a solution's number (0, 1, ...)");
      rules.index = value.get<std::size_t>();
    } else if (key == "max_image") {
      rules.max_image = number(key, value);
    } else if (key == "max_guidance") {
      rules.max_guidance = number(key, value);
    } else if (key == "max_deformation") {
      rules.max_deformation = number(key, value);
    } else if (key == "max_organ_mm") {
      rules.max_organ_mm = number(key, value);
    } else if (key == "max_folded") {
      rules.max_folded = number(key, value);
    } else {
      throw usage_error("unknown pick rule '{}'; the rules are {}", key, kKeys);
    }
  }
  check_rule_consistency(rules);
  return rules;
}

std::string describe_limits(const PickRules& rules, const Front& front) {
  std::string out;
  for (const Limit& l : limits_of(rules, front))
    out += fmt::format("{}{} <= {}{}", out.empty() ? "" : ", ", l.what, number(l.bound), l.unit);
  return out;
}

nlohmann::json pick_record(const Front& front, const PickRules& rules, const PickOutcome& outcome) {
  const std::size_t k = outcome.chosen.value();
  return {{"front", (front.dir / "front.json").string()},
          {"index", k},
          {"rules", rules_json(rules)},
          {"reason", outcome.reason},
          {"meeting_limits", outcome.meeting},
          {"objectives", front.objectives},
          {"solution", front.solutions[k].raw}};
}

PickOutcome pick_solution(const Front& front, const PickRules& rules) {
  check_rules(rules, front);
  const std::vector<Limit> limits = limits_of(rules, front);
  const std::string limits_text = describe_limits(rules, front);
  PickOutcome outcome;
  for (std::size_t k = 0; k < front.solutions.size(); ++k)
    if (meets(front.solutions[k], limits)) outcome.meeting.push_back(k);
  const std::size_t n = front.solutions.size();

  if (rules.index) {
    const std::size_t k = *rules.index;
    if (meets(front.solutions[k], limits)) {
      outcome.chosen = k;
      outcome.reason = fmt::format("solution {} was chosen by its number (--index) and meets {}", k,
                                   limits_text);
    } else {
      outcome.reason = fmt::format("solution {}, chosen by its number (--index), {}", k,
                                   misses(front.solutions[k], limits));
      outcome.closest = k;
    }
    return outcome;
  }
  if (rules.minimise.empty()) {
    const FrontEntry& knee = front.solutions[front.knee];
    if (meets(knee, limits)) {
      outcome.chosen = front.knee;
      outcome.reason = fmt::format(
          "solution {} is the knee of the front (the best balance of its objectives, as "
          "front.json records it) and meets {}",
          front.knee, limits_text);
    } else {
      outcome.reason =
          fmt::format("the knee (solution {}) {}; {} of {} solutions meet {}{}", front.knee,
                      misses(knee, limits), outcome.meeting.size(), n, limits_text,
                      outcome.meeting.empty() ? "" : ": use --minimise to choose among them");
      outcome.closest = front.knee;
    }
    return outcome;
  }

  const std::size_t target = front.objective_index(rules.minimise).value();
  if (outcome.meeting.empty()) {
    const std::size_t closest = closest_solution(front, limits);
    outcome.closest = closest;
    outcome.reason = fmt::format("no solution of {} meets {}; the closest is solution {}, which {}",
                                 n, limits_text, closest, misses(front.solutions[closest], limits));
    return outcome;
  }
  // Smallest target objective; ties by the other objectives in front order, then by index.
  std::vector<std::size_t> order = outcome.meeting;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto& oa = front.solutions[a].objectives;
    const auto& ob = front.solutions[b].objectives;
    if (oa[target] != ob[target]) return oa[target] < ob[target];
    return oa < ob;
  });
  const std::size_t chosen = order.front();
  const std::string unit = objective_unit(rules.minimise);
  outcome.chosen = chosen;
  outcome.reason =
      fmt::format("solution {} has the smallest {} ({}{}) of the {} of {} solutions meeting {}",
                  chosen, rules.minimise, number(front.solutions[chosen].objectives[target]), unit,
                  outcome.meeting.size(), n, limits_text);
  if (order.size() > 1) {
    outcome.reason += fmt::format("; next is solution {} ({}{})", order[1],
                                  number(front.solutions[order[1]].objectives[target]), unit);
  }
  return outcome;
}

}  // namespace modir::reg
