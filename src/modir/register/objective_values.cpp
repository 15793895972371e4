#include "modir/register/objective_values.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace modir::reg {

std::vector<ObjectiveValue> objective_values(const std::vector<TermValue>& terms) {
  std::array<double, 3> weighted{0, 0, 0}, weights{0, 0, 0};
  for (const TermValue& t : terms) {
    if (t.constraint || t.weight <= 0) continue;
    const auto g = static_cast<std::size_t>(t.group);
    weighted[g] += t.weight * t.value;
    weights[g] += t.weight;
  }
  std::vector<ObjectiveValue> out;
  for (std::size_t g = 0; g < 3; ++g) {
    if (weights[g] <= 0) continue;
    const auto group = static_cast<objective::ObjectiveGroup>(g);
    double value = weighted[g] / weights[g];
    if (group == objective::ObjectiveGroup::kGuidance) value = std::sqrt(std::max(value, 0.0));
    out.push_back({group, value});
  }
  return out;
}

nlohmann::json objectives_to_json(const std::vector<ObjectiveValue>& values) {
  nlohmann::json out = nlohmann::json::object();
  for (const ObjectiveValue& v : values) {
    switch (v.group) {
      case objective::ObjectiveGroup::kImage: out["image"] = v.value; break;
      case objective::ObjectiveGroup::kGuidance: out["guidance_mm"] = v.value; break;
      case objective::ObjectiveGroup::kDeformation: out["deformation"] = v.value; break;
    }
  }
  return out;
}

}  // namespace modir::reg
