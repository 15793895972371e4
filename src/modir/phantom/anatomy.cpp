#include "modir/phantom/anatomy.h"

#include <cmath>

#include "modir/core/error.h"
#include "modir/phantom/anatomy_model.h"
#include "modir/phantom/noise.h"

namespace modir::phantom {

struct Anatomy::Impl {
  detail::Model model;
};

namespace detail {

namespace {

// Independent texture streams of one patient.
enum Texture : std::uint64_t {
  kTexSkin = 1,
  kTexCortex,
  kTexTrabecularFine,
  kTexTrabecularCoarse,
  kTexFluid,
  kTexGland,
  kTexFaecesCoarse,
  kTexFaecesFine,
  kTexMuscle,
  kTexFat,
  kTexSeptum,
  kTexFatMask,
};

double tex(const Model& m, const Vec3d& p, double feature_mm, Texture t) {
  return noise_mm(p, feature_mm, m.salt + 0x632BE59BD9B4E019ull * t);
}

TissueSample body(double hu) {
  return {kBody, static_cast<float>(hu)};
}

TissueSample bone_sample(const Model& m, const Vec3d& p, const LayerHit& hit) {
  const std::uint16_t label = hit.tag == kTagFemoralHead ? kFemoralHeads : kBone;
  double cortex = m.cortex;
  if (hit.tag == kTagBoneThin) cortex = std::max(2.0, 0.8 * m.cortex);
  if (hit.tag == kTagBoneThick) cortex = std::min(4.0, 1.4 * m.cortex);
  double hu;
  if (hit.distance > -cortex) {
    hu = m.cortex_hu + 140.0 * (tex(m, p, 6.0, kTexCortex) - 0.5);
  } else {
    // Trabecular bone: a fine and a coarse speckle, 205-295 HU.
    const double n =
        0.6 * tex(m, p, 1.6, kTexTrabecularFine) + 0.4 * tex(m, p, 4.0, kTexTrabecularCoarse);
    hu = 205.0 + 90.0 * n;
  }
  return {label, static_cast<float>(hu)};
}

/// Faeces: mottled mixture of gas bubbles and soft matter, -400..+50 HU.
double faeces_hu(const Model& m, const Vec3d& p) {
  const double v = 0.7 * tex(m, p, 3.5, kTexFaecesCoarse) + 0.3 * tex(m, p, 1.5, kTexFaecesFine);
  const double t = std::clamp((v - 0.3) / 0.35, 0.0, 1.0);
  return -400.0 + 450.0 * t * t * (3.0 - 2.0 * t);
}

/// Gas in a gut lumen whose piece stores a gas fraction: the anterior part of the lumen (gas
/// rises toward -y in a supine patient), an air-fluid level.
bool gut_gas(const Model& m, const LayerHit& hit) {
  if (hit.aux <= 0.0f) return false;
  const double lumen = hit.radius - m.gut_wall;
  return hit.offset.y < -(1.0 - hit.aux) * lumen;
}

}  // namespace

TissueSample sample_model(const Model& m, const Vec3d& p) {
  const double depth = m.outline.depth(p);
  if (depth <= 0.0) {
    if (m.arms)
      if (const std::optional<TissueSample> arm = m.arms->sample(p)) return *arm;
    return {};
  }
  if (depth < m.skin) return body(30.0 + 6.0 * (tex(m, p, 3.0, kTexSkin) - 0.5));

  bool head_removed = false;
  if (m.prostheses) {
    const ProsthesisSample implant = m.prostheses->sample(p);
    if (implant.tissue) return *implant.tissue;
    head_removed = implant.bone_removed;
  }
  if (m.fiducials)
    if (const std::optional<TissueSample> marker = m.fiducials->sample(p)) return *marker;
  if (m.calcifications)
    if (const std::optional<TissueSample> calcified = m.calcifications->sample(p))
      return *calcified;
  const LayerHit bone = m.scene.query(p, Layer::kBone);
  if (bone.distance < 0.0 && !(head_removed && bone.tag == kTagFemoralHead))
    return bone_sample(m, p, bone);

  if (m.bladder_box.contains(p)) {
    const Vec3d q = p - m.bladder.centre;
    const double n = q.norm();
    const double r = n > 1e-9 ? m.bladder.radius(q / n) : kFar;
    if (n < r) {
      const double hu =
          n > r - m.bladder_wall ? 40.0 : 10.0 + 4.0 * (tex(m, p, 8.0, kTexFluid) - 0.5);
      return {kBladder, static_cast<float>(hu)};
    }
  }

  const LayerHit gland = m.scene.query(p, Layer::kUterusProstate);
  if (gland.distance < 0.0) {
    const double n = tex(m, p, 5.0, kTexGland) - 0.5;
    double hu = 45.0 + 8.0 * n;  // prostate
    if (gland.tag == kTagSeminalVesicle) hu = 42.0 + 4.0 * n;
    if (gland.tag == kTagUterus) hu = 55.0 + 8.0 * n;
    if (gland.tag == kTagCervix) hu = 47.0 + 6.0 * n;
    return {kUterusProstate, static_cast<float>(hu)};
  }

  const LayerHit rectum = m.scene.query(p, Layer::kRectum);
  if (rectum.distance < 0.0) {
    if (rectum.distance > -m.gut_wall) return {kRectum, 40.0f};
    for (const auto& [c, r] : m.rectal_gas) {
      const Vec3d d = p - c;
      if (d.dot(d) < r * r) return {kRectum, -1000.0f};
    }
    return {kRectum, static_cast<float>(faeces_hu(m, p))};
  }

  const LayerHit bowel = m.scene.query(p, Layer::kBowel);
  if (bowel.distance < 0.0) {
    if (bowel.distance > -m.gut_wall) return {kBowel, 40.0f};
    if (gut_gas(m, bowel)) return {kBowel, -1000.0f};
    if (bowel.tag == kTagColon) return {kBowel, static_cast<float>(faeces_hu(m, p))};
    return {kBowel, static_cast<float>(15.0 + 4.0 * (tex(m, p, 8.0, kTexFluid) - 0.5))};
  }

  const double fat = m.fat_thickness(p);
  const double fat_noise = 10.0 * (tex(m, p, 4.0, kTexFat) - 0.5);
  if (depth < m.skin + fat) return body(-100.0 + fat_noise);

  const LayerHit vessel = m.scene.query(p, Layer::kVessel);
  if (vessel.distance < 0.0) return body(vessel.tag == kTagArtery ? 45.0 : 40.0);

  const LayerHit muscle = m.scene.query(p, Layer::kMuscle);
  const double muscle_noise = 10.0 * (tex(m, p, 5.0, kTexMuscle) - 0.5);
  if (muscle.distance < 0.0) {
    if (muscle.tag == kTagDisc) return body(80.0 + 0.5 * muscle_noise);
    if (muscle.tag == kTagVagina) return body(45.0 + 0.5 * muscle_noise);
    return body(42.0 + muscle_noise);
  }
  if (m.scene.query(p, Layer::kCavity).distance < 0.0) return body(-90.0 + fat_noise);
  // Outside the cavities: muscle, parted here and there by thin fat planes: iso-surfaces of a
  // noise stretched along z (muscles run lengthwise), kept where a second noise allows.
  const Vec3d stretched{p.x * (1.0 / 20.0), p.y * (1.0 / 20.0), p.z * (1.0 / 70.0)};
  if (std::abs(value_noise(stretched, m.salt + 0x632BE59BD9B4E019ull * kTexSeptum) - 0.5) < 0.02 &&
      tex(m, p, 45.0, kTexFatMask) > 0.45)
    return body(-80.0 + fat_noise);
  return body(42.0 + muscle_noise);
}

}  // namespace detail

Anatomy::Anatomy(Rng& rng, Sex sex, const AnatomyState& state) : impl_(std::make_unique<Impl>()) {
  if (!(state.bladder_volume_ml > 0.0) || !std::isfinite(state.bladder_volume_ml))
    throw usage_error("bladder volume must be positive, got {} ml", state.bladder_volume_ml);
  if (!(state.rectal_gas_scale >= 0.0) || !std::isfinite(state.rectal_gas_scale))
    throw usage_error("rectal gas scale must be zero or positive, got {}", state.rectal_gas_scale);
  detail::Model& m = impl_->model;
  m.sex = sex;
  m.state = state;
  // One stream per part, forked in a fixed order: the number of draws a part makes never shifts
  // another part, and no draw depends on the state.
  Rng bones = rng.fork(11), body = rng.fork(12), vessels = rng.fork(13), organs = rng.fork(14),
      bowel = rng.fork(15), texture = rng.fork(16);
  m.salt = mix_bits(static_cast<std::uint64_t>(texture.uniform() * 0x1.0p53));
  detail::build_bones(m, bones);
  detail::build_body(m, body);
  detail::build_vessels(m, vessels);
  detail::build_pelvic_organs(m, organs);
  detail::build_bowel(m, bowel);
  detail::add_skin_points(m);
  m.scene.build(8.0);
}

Anatomy::~Anatomy() = default;
Anatomy::Anatomy(Anatomy&&) noexcept = default;
Anatomy& Anatomy::operator=(Anatomy&&) noexcept = default;

TissueSample Anatomy::sample(const Vec3d& p) const {
  return detail::sample_model(impl_->model, p);
}

Sex Anatomy::sex() const {
  return impl_->model.sex;
}

const StarShape& Anatomy::bladder() const {
  return impl_->model.bladder;
}

const std::vector<std::pair<Vec3d, double>>& Anatomy::rectal_gas() const {
  return impl_->model.rectal_gas;
}

std::pair<Vec3d, Vec3d> Anatomy::body_bounds() const {
  const Box b = impl_->model.outline.bounds();
  return {b.lo, b.hi};
}

void Anatomy::add_hip_prostheses(const HipProsthesis& design) {
  const detail::PelvisFrame& f = impl_->model.frame;
  std::vector<PlacedProsthesis> placed;
  for (int side = 0; side < 2; ++side) {
    if (!design.sides[side]) continue;
    PlacedProsthesis s;
    s.side = side;
    s.head = f.head[side];
    s.natural_head_radius = f.head_radius[side];
    s.natural_neck_radius = 0.8 * f.head_radius[side];  // the neck's widest, at its base
    // The neck runs from the head to the top of the femoral shaft; the stem follows the shaft's
    // centre line (the medullary canal) down to its length below the head centre.
    const TubeSpec& shaft = f.femoral_shaft[side];
    const Vec3d base = shaft.point_at(0.0);
    s.neck_axis = (base - s.head) / (base - s.head).norm();
    s.stem = {s.head, base};
    for (double t = 0.1; t <= shaft.last_t(); t += 0.1) {
      const Vec3d q = shaft.point_at(t);
      s.stem.push_back(q);
      if (s.head.z - q.z >= design.stem_length_mm) break;
    }
    placed.push_back(std::move(s));
  }
  impl_->model.prostheses.emplace(design, std::move(placed));
}

std::size_t Anatomy::add_calcifications(const CalcificationDesign& design) {
  detail::Model& m = impl_->model;
  m.calcifications.reset();  // placed against the anatomy without any
  m.calcifications.emplace(detail::place_calcifications(m, design));
  return m.calcifications->items().size();
}

std::size_t Anatomy::add_fiducials(const FiducialDesign& design) {
  detail::Model& m = impl_->model;
  m.fiducials.reset();  // placed against the anatomy without any
  m.fiducials.emplace(design.peak_hu, detail::place_fiducials(m, design));
  return m.fiducials->seeds().size();
}

const PlacedFiducials* Anatomy::fiducials() const {
  return impl_->model.fiducials ? &*impl_->model.fiducials : nullptr;
}

const PlacedCalcifications* Anatomy::calcifications() const {
  return impl_->model.calcifications ? &*impl_->model.calcifications : nullptr;
}

void Anatomy::add_arms(const ArmsDesign& design) {
  detail::Model& m = impl_->model;
  const double head_z = 0.5 * (m.frame.head[0].z + m.frame.head[1].z);
  const double z_elbow = head_z + design.elbow_above_mm;
  const double z_wrist = z_elbow - design.length_mm;
  const double centre_y = m.outline.params().centre_y + design.posterior_mm;
  // The outline's outermost x over the forearm's height and front-back span, on each side:
  // straight forearms must clear the hips and thighs everywhere along them.
  const Box bounds = m.outline.bounds();
  std::array<double, 2> edge{0.0, 0.0};
  for (int side = 0; side < 2; ++side) {
    const double sign = side == 1 ? 1.0 : -1.0;
    const double far = sign > 0 ? bounds.hi.x : -bounds.lo.x;
    double outermost = 0.0;
    for (double z = z_wrist; z <= z_elbow; z += 10.0)
      for (double v = -1.0; v <= 1.0; v += 0.5) {
        const double y = centre_y + v * design.radius_ap_mm;
        for (double x = far; x > outermost; x -= 2.0) {
          if (m.outline.depth({sign * x, y, z}) > 0.0) {
            outermost = x;
            break;
          }
        }
      }
    edge[side] = sign * (outermost + design.gap_mm + design.radius_lr_mm);
  }
  m.arms.emplace(design, edge, centre_y, z_elbow, z_wrist);
}

void Anatomy::remove_arms() {
  impl_->model.arms.reset();
}

const HipProstheses* Anatomy::hip_prostheses() const {
  return impl_->model.prostheses ? &*impl_->model.prostheses : nullptr;
}

std::vector<std::pair<std::string, Vec3d>> Anatomy::distinctive_points() const {
  return impl_->model.points;
}

}  // namespace modir::phantom
