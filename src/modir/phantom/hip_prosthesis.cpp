#include "modir/phantom/hip_prosthesis.h"

#include <algorithm>
#include <cmath>

namespace modir::phantom {

HipProsthesis draw_hip_prosthesis(Rng& rng) {
  HipProsthesis h;
  // One hip replaced as often as either side alone; both in one patient of five.
  const double which = rng.uniform();
  h.sides = which < 0.2 ? std::array<bool, 2>{true, true}
                        : (which < 0.6 ? std::array<bool, 2>{true, false}
                                       : std::array<bool, 2>{false, true});
  h.ball_radius_mm = rng.uniform(11.0, 18.0);
  h.shell_mm = rng.uniform(3.0, 5.0);
  h.neck_radius_mm = rng.uniform(6.0, 8.0);
  h.stem_length_mm = rng.uniform(110.0, 170.0);
  h.stem_radius_mm = rng.uniform(6.5, 9.0);
  h.cement_mm = rng.chance(0.5) ? rng.uniform(2.0, 4.0) : 0.0;
  // Noise-free values on an extended CT scale (HU = 1000 (mu / mu_water - 1) at about 70 keV):
  // cobalt-chrome about 14000, titanium about 5500; acquisition clips them to 3071.
  h.ball_hu = rng.uniform(12000.0, 16000.0);
  h.stem_hu = rng.chance(0.5) ? rng.uniform(5000.0, 6000.0) : rng.uniform(12000.0, 16000.0);
  h.liner_hu = rng.uniform(-110.0, -70.0);
  h.cement_hu = rng.uniform(1500.0, 2500.0);
  h.beam_hardening = rng.uniform(0.2, 0.6);
  h.starvation_cap = rng.uniform(5.0, 8.0);
  return h;
}

namespace {

/// Distance from p to the segment a-b, and the parameter (0..1) of the nearest point.
double segment_distance(const Vec3d& p, const Vec3d& a, const Vec3d& b, double& t) {
  const Vec3d ab = b - a;
  const double length2 = ab.dot(ab);
  t = length2 > 0.0 ? std::clamp((p - a).dot(ab) / length2, 0.0, 1.0) : 0.0;
  const Vec3d d = p - (a + ab * t);
  return std::sqrt(d.dot(d));
}

}  // namespace

HipProstheses::HipProstheses(const HipProsthesis& design, std::vector<PlacedProsthesis> placed)
    : design_(design), placed_(std::move(placed)) {
  const double margin = std::max(design_.stem_radius_mm + design_.cement_mm, 8.0) + 2.0;
  for (const PlacedProsthesis& s : placed_) {
    const double r = s.natural_head_radius + 3.0;
    Vec3d lo = s.head - Vec3d{r, r, r}, hi = s.head + Vec3d{r, r, r};
    for (const Vec3d& q : s.stem) {
      lo = {std::min(lo.x, q.x - margin), std::min(lo.y, q.y - margin),
            std::min(lo.z, q.z - margin)};
      hi = {std::max(hi.x, q.x + margin), std::max(hi.y, q.y + margin),
            std::max(hi.z, q.z + margin)};
    }
    const double neck = s.natural_neck_radius + 2.0;
    lo -= Vec3d{neck, neck, neck};
    hi += Vec3d{neck, neck, neck};
    reach_.emplace_back(lo, hi);
  }
}

ProsthesisSample HipProstheses::sample(const Vec3d& p) const {
  ProsthesisSample out;
  const HipProsthesis& d = design_;
  for (std::size_t i = 0; i < placed_.size(); ++i) {
    const auto& [lo, hi] = reach_[i];
    if (p.x < lo.x || p.y < lo.y || p.z < lo.z || p.x > hi.x || p.y > hi.y || p.z > hi.z) continue;
    const PlacedProsthesis& s = placed_[i];
    const Vec3d q = p - s.head;
    const double r = std::sqrt(q.dot(q));
    if (r < d.ball_radius_mm) {
      out.tissue = TissueSample{kFemoralHeads, static_cast<float>(d.ball_hu)};
      return out;
    }
    // The cup: a hemisphere open toward the neck, its shell outside the polyethylene liner.
    const double shell_outer = s.natural_head_radius + 1.0;
    if (r < shell_outer && q.dot(s.neck_axis) < 0.0) {
      out.tissue = r < shell_outer - d.shell_mm
                       ? TissueSample{kFemoralHeads, static_cast<float>(d.liner_hu)}
                       : TissueSample{kBone, static_cast<float>(d.stem_hu)};
      return out;
    }
    // Neck (head to its base) and stem (down the femoral canal, tapering to 60 %).
    const double stem_total = static_cast<double>(s.stem.size()) - 2.0;
    for (std::size_t k = 0; k + 1 < s.stem.size(); ++k) {
      double t = 0.0;
      const double distance = segment_distance(p, s.stem[k], s.stem[k + 1], t);
      double radius = d.neck_radius_mm;
      if (k > 0) {
        const double along = (static_cast<double>(k - 1) + t) / std::max(stem_total, 1.0);
        radius = d.stem_radius_mm * (1.0 - 0.4 * along);
      }
      if (distance < radius) {
        out.tissue = TissueSample{k == 0 ? kFemoralHeads : kBone,
                                  static_cast<float>(k == 0 ? d.ball_hu : d.stem_hu)};
        return out;
      }
      if (k > 0 && distance < radius + d.cement_mm) {
        out.tissue = TissueSample{kBone, static_cast<float>(d.cement_hu)};
        return out;
      }
    }
    // The natural head and neck were cut away: only the parts above remain of them.
    double t = 0.0;
    if (r < s.natural_head_radius + 2.0 ||
        segment_distance(p, s.head, s.stem[1], t) < s.natural_neck_radius + 2.0)
      out.bone_removed = true;
  }
  return out;
}

nlohmann::json to_json(const HipProsthesis& p) {
  return {{"sides", {{"right", p.sides[0]}, {"left", p.sides[1]}}},
          {"ball_radius_mm", p.ball_radius_mm},
          {"shell_mm", p.shell_mm},
          {"neck_radius_mm", p.neck_radius_mm},
          {"stem_length_mm", p.stem_length_mm},
          {"stem_radius_mm", p.stem_radius_mm},
          {"cement_mm", p.cement_mm},
          {"ball_hu", p.ball_hu},
          {"stem_hu", p.stem_hu},
          {"liner_hu", p.liner_hu},
          {"cement_hu", p.cement_hu},
          {"beam_hardening", p.beam_hardening},
          {"starvation_cap", p.starvation_cap}};
}

}  // namespace modir::phantom
