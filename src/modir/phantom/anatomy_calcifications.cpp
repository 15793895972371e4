// Where a patient's calcifications lie (phantom/calcifications.h): phleboliths in the internal
// iliac veins and in the fat of the venous plexus beside the bladder neck, plaques on the iliac
// arteries' walls, foci inside the prostate. Each is sought by rejection from the design's own
// stream, so that one design on one patient always gives the same places.

#include <cmath>

#include "modir/phantom/anatomy_model.h"

namespace modir::phantom::detail {

namespace {

constexpr int kAttempts = 80;

/// A unit vector perpendicular to `axis` (unit), in a random direction.
Vec3d random_perpendicular(Rng& rng, const Vec3d& axis) {
  for (;;) {
    const Vec3d v = random_unit(rng);
    const Vec3d p = v - axis * v.dot(axis);
    const double n = p.norm();
    if (n > 0.2) return p / n;
  }
}

class Placer {
 public:
  Placer(const Model& m, std::vector<Calcification>& placed) : m_(m), placed_(placed) {}

  /// True when a sphere of `radius` at `centre` is clear of the ones already placed and every
  /// point of it tested (centre and six points 0.5 mm beyond its surface) satisfies `fits`.
  template <class Fits>
  bool free(const Vec3d& centre, double radius, Fits fits) const {
    for (const Calcification& c : placed_)
      if ((c.centre - centre).norm() < c.radius_mm + radius + 1.0) return false;
    if (!fits(centre)) return false;
    const double reach = radius + 0.5;
    for (const Vec3d& axis : {Vec3d{1, 0, 0}, Vec3d{0, 1, 0}, Vec3d{0, 0, 1}})
      if (!fits(centre + axis * reach) || !fits(centre - axis * reach)) return false;
    return true;
  }

  TissueSample at(const Vec3d& p) const { return sample_model(m_, p); }

 private:
  const Model& m_;
  std::vector<Calcification>& placed_;
};

void place_phleboliths(const Model& m, const CalcificationDesign& d, Rng& rng,
                       std::vector<Calcification>& placed) {
  const Placer placer(m, placed);
  // The plexus lies in fat: soft tissue of the body label below 0 HU.
  const auto in_fat = [&](const Vec3d& p) {
    const TissueSample s = placer.at(p);
    return s.label == kBody && s.hu < 0.0f;
  };
  const auto in_body = [&](const Vec3d& p) { return placer.at(p).label == kBody; };
  const double s = m.frame.scale;
  for (int i = 0; i < d.phleboliths; ++i) {
    Calcification c;
    c.kind = Calcification::kPhlebolith;
    c.radius_mm = rng.uniform(1.5, 3.5);
    c.core_radius_mm = rng.chance(0.6) ? 0.55 * c.radius_mm : 0.0;
    c.rim_hu = static_cast<float>(d.phlebolith_rim_hu);
    c.core_hu = static_cast<float>(d.phlebolith_core_hu);
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
      if (!m.internal_iliac_veins.empty() && rng.chance(0.4)) {
        const TubeSpec& vein = m.internal_iliac_veins[std::size_t(
            rng.integer(0, int(m.internal_iliac_veins.size()) - 1))];
        const double t = rng.uniform(0.5, 1.0) * vein.last_t();
        const double room = std::max(0.0, vein.radius_a_at(t) - c.radius_mm);
        c.centre = vein.point_at(t) +
                   random_perpendicular(rng, vein.tangent_at(t)) * (room * rng.uniform());
        if (placer.free(c.centre, c.radius_mm, in_body)) {
          placed.push_back(c);
          break;
        }
      } else {
        const double side = rng.chance(0.5) ? 1.0 : -1.0;
        c.centre =
            m.bladder_neck + Vec3d{side * rng.uniform(18.0, 45.0) * s, rng.uniform(-5.0, 30.0) * s,
                                   rng.uniform(-10.0, 35.0) * s};
        if (placer.free(c.centre, c.radius_mm, in_fat)) {
          placed.push_back(c);
          break;
        }
      }
    }
  }
}

void place_plaques(const Model& m, const CalcificationDesign& d, Rng& rng,
                   std::vector<Calcification>& placed) {
  if (m.iliac_arteries.empty()) return;
  const Placer placer(m, placed);
  const auto in_body = [&](const Vec3d& p) { return placer.at(p).label == kBody; };
  for (int i = 0; i < d.arterial_plaques; ++i) {
    Calcification c;
    c.kind = Calcification::kArterialPlaque;
    c.radius_mm = rng.uniform(1.0, 2.0);
    c.rim_hu = c.core_hu = static_cast<float>(d.plaque_hu);
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
      const TubeSpec& artery =
          m.iliac_arteries[std::size_t(rng.integer(0, int(m.iliac_arteries.size()) - 1))];
      const double t = rng.uniform(0.0, artery.last_t());
      // Centred on the wall: half in the lumen, half outside, as a plaque bulges.
      c.centre = artery.point_at(t) +
                 random_perpendicular(rng, artery.tangent_at(t)) * artery.radius_a_at(t);
      if (placer.free(c.centre, c.radius_mm, in_body)) {
        placed.push_back(c);
        break;
      }
    }
  }
}

void place_prostatic(const Model& m, const CalcificationDesign& d, Rng& rng,
                     std::vector<Calcification>& placed) {
  const Vec3d* centre = m.point("prostate_centre");
  if (!centre) return;  // a woman's pelvis
  const Placer placer(m, placed);
  for (int i = 0; i < d.prostatic_foci; ++i) {
    Calcification c;
    c.kind = Calcification::kProstatic;
    c.label = kUterusProstate;
    c.radius_mm = rng.uniform(1.0, 2.5);
    c.rim_hu = c.core_hu = static_cast<float>(d.prostatic_hu);
    // Well inside the gland: 1 mm of gland left around the focus.
    const auto deep_in_prostate = [&](const Vec3d& p) {
      const LayerHit gland = m.scene.query(p, Layer::kUterusProstate);
      return gland.distance < -(c.radius_mm + 1.0) && gland.tag == kTagProstate;
    };
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
      c.centre = *centre + Vec3d{rng.uniform(-15, 15), rng.uniform(-12, 12), rng.uniform(-15, 15)} *
                               m.frame.scale;
      if (placer.free(c.centre, 0.0, deep_in_prostate)) {
        placed.push_back(c);
        break;
      }
    }
  }
}

}  // namespace

std::vector<Calcification> place_calcifications(const Model& m, const CalcificationDesign& design) {
  Rng rng(design.placement_seed);
  Rng veins = rng.fork(1), arteries = rng.fork(2), prostate = rng.fork(3);
  std::vector<Calcification> placed;
  place_phleboliths(m, design, veins, placed);
  place_plaques(m, design, arteries, placed);
  place_prostatic(m, design, prostate, placed);
  return placed;
}

}  // namespace modir::phantom::detail
