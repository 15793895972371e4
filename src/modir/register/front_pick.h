#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "modir/register/front_file.h"

namespace modir::reg {

/// How to pick one solution of a front, in terms a clinician states: "the knee", or "the smallest
/// <objective> among the solutions meeting these limits". Limits are upper bounds (inclusive).
struct PickRules {
  bool knee = false;     ///< --knee: the front's knee (also the rule when none is given)
  std::string minimise;  ///< --minimise: empty, "image", "guidance" or "deformation"
  std::optional<double> max_image, max_guidance, max_deformation;
  std::optional<double> max_organ_mm;  ///< every organ's organ_distance_mm
  std::optional<double> max_folded;    ///< folded fraction; 0 when not given
  /// --index: one solution named by its number, as a person chose it by looking (modir review);
  /// the limits still apply to it.
  std::optional<std::size_t> index;
};

/// What pick_solution decided.
struct PickOutcome {
  std::optional<std::size_t> chosen;   ///< nullopt: no solution fits the rules
  std::string reason;                  ///< why `chosen` (or why none), one sentence
  std::vector<std::size_t> meeting;    ///< solutions meeting every limit, ascending
  std::optional<std::size_t> closest;  ///< without a choice: the solution missing the least
};

/// Whether any rule option was given.
bool any_rule(const PickRules& rules);

/// Throws a usage error for rules that contradict each other whatever the front: --knee with
/// --minimise, --index with either, limits with no rule, --max-folded outside [0, 1].
void check_rule_consistency(const PickRules& rules);

/// Throws a usage error for rules that contradict each other (check_rule_consistency) or that
/// this front cannot answer (an objective it does not have, organ limits without organ distances).
void check_rules(const PickRules& rules, const Front& front);

/// The rules as recorded in JSON outputs: {"rule": "knee" | "minimise" | "index", "minimise": ...,
/// "index": ..., "limits": {...}}.
nlohmann::json rules_json(const PickRules& rules);

/// Rules given as an object whose keys are the command line's options without their dashes
/// ({"minimise": "deformation", "max_organ_mm": 3}; "knee": true; "index": 4), as the Python
/// package takes them. An unknown key or a value of the wrong type is a usage error naming the
/// keys; the rules are checked for consistency (check_rule_consistency).
PickRules parse_pick_rules(const nlohmann::json& rules);

/// Applies the rules. Every listed solution is a candidate, dominated ones included, since a limit
/// on organs or folding can rule out the solutions dominating them. --minimise takes the smallest
/// value of its objective among those meeting every limit, ties going to the smaller other
/// objectives (in front order), then to the lower index. --knee (the default) takes the front's
/// knee if it meets the limits. --index takes the named solution if it meets the limits. When
/// nothing fits, `closest` is the solution with the smallest sum
/// of its misses, each as a fraction of that quantity's spread over the front, and `reason` says
/// by how much it misses each limit.
PickOutcome pick_solution(const Front& front, const PickRules& rules);

/// What `modir front pick --json` records of a choice (and `modir review` when a person chooses):
/// the front, the chosen index, the rules, the reason, the solutions meeting the limits, and the
/// chosen solution's front.json entry. `outcome` must have a choice.
nlohmann::json pick_record(const Front& front, const PickRules& rules, const PickOutcome& outcome);

/// The limits in words, e.g. "guidance <= 2 mm, folded fraction <= 0".
std::string describe_limits(const PickRules& rules, const Front& front);

}  // namespace modir::reg
