// Body outline, muscles, cavities and vessels: the soft tissue around the bones and organs.

#include <cmath>
#include <string>

#include "modir/phantom/anatomy_model.h"
#include "modir/phantom/noise.h"

namespace modir::phantom::detail {

namespace {

Vec3d jitter(Rng& rng, double sigma) {
  return {rng.normal(0.0, sigma), rng.normal(0.0, sigma), rng.normal(0.0, sigma)};
}

std::string sided(const std::string& name, int side) {
  return name + "_" + kSideName[side];
}

TubeSpec round_tube(std::vector<Vec3d> points, std::vector<double> radii, double scale) {
  TubeSpec t;
  t.points = std::move(points);
  for (double& r : radii) r *= scale;
  t.radius_a = std::move(radii);
  return t;
}

OutlineParams draw_outline(const Model& m, Rng& rng) {
  const PelvisFrame& f = m.frame;
  const bool female = m.sex == Sex::kFemale;
  const double s = f.scale;
  OutlineParams op;
  op.z_min = kBodyZMin;
  op.z_max = kBodyZMax;
  op.centre_y = rng.uniform(-4.0, 4.0);
  op.crotch_z = rng.uniform(-95.0, -80.0) * f.height * s;
  // Room for the fat (at most about its mean at the sides), the skin and some muscle outside
  // the bones; the width is drawn, the bones and fat only set a floor.
  const double margin = m.fat + m.skin + 8.0;
  const double width = rng.uniform(305.0, 370.0) + (female ? 10.0 : 0.0);
  const double hip = std::max(0.5 * width, f.trochanter_lateral + margin);
  const double crest = std::max(hip * rng.uniform(0.88, 0.97), f.crest_lateral + margin);
  const double waist = crest * rng.uniform(0.86, 1.0);
  op.half_width.keys = {
      {op.crotch_z, hip * 0.97}, {-20 * s, hip}, {125 * s, crest}, {op.z_max, waist}};
  const double cy = op.centre_y;
  const double ant_hip =
      std::max(rng.uniform(95.0, 120.0), cy - f.pubis_front_y + margin + 0.4 * m.fat + 8.0);
  const double ant_mid = std::max(rng.uniform(100.0, 130.0), ant_hip);
  const double ant_top = ant_mid * rng.uniform(0.95, 1.15);
  op.anterior.keys = {
      {op.crotch_z, ant_hip * 0.92}, {-10 * s, ant_hip}, {80 * s, ant_mid}, {op.z_max, ant_top}};
  const double tuberosity_y = std::max(f.ischial_tuberosity[0].y, f.ischial_tuberosity[1].y);
  const double post_low = std::max(rng.uniform(105.0, 130.0), tuberosity_y - cy + 40.0 + margin);
  const double post_mid =
      std::max(rng.uniform(100.0, 125.0), f.sacrum_back_y - cy + 0.6 * margin + 8.0);
  const double post_top =
      std::max(rng.uniform(95.0, 120.0), f.spine_back_y - cy + 0.6 * margin + 8.0);
  op.posterior.keys = {{op.crotch_z, post_low * 0.95},
                       {-40 * s, post_low},
                       {40 * s, post_mid},
                       {op.z_max, post_top}};
  op.exponent = rng.uniform(2.2, 2.8);
  for (int i = 0; i < 3; ++i) {
    Harmonic h;
    h.order = rng.integer(2, 5);
    h.amplitude = rng.uniform(0.008, 0.025);
    h.phase = rng.uniform(0.0, 2.0 * M_PI);
    h.z_frequency = 2.0 * M_PI / rng.uniform(150.0, 320.0);
    h.z_phase = rng.uniform(0.0, 2.0 * M_PI);
    op.harmonics.push_back(h);
  }
  op.buttock_bulge = rng.uniform(8.0, 22.0) + 0.3 * m.fat;
  op.buttock_z = op.crotch_z + rng.uniform(35.0, 55.0);
  op.buttock_sigma_z = 40.0;
  op.cleft_depth = rng.uniform(5.0, 10.0);
  op.thigh_x = hip * rng.uniform(0.47, 0.53);
  op.thigh_radius = hip * rng.uniform(0.5, 0.55);
  op.thigh_y = rng.uniform(-10.0, 0.0);
  op.thigh_aspect = rng.uniform(0.88, 0.97);
  return op;
}

void build_muscles(Model& m, Rng& rng) {
  // Outside the cavities everything under the subcutaneous fat is muscle by default (gluteal,
  // thigh, back and abdominal wall muscles); only the muscles inside the cavities are drawn.
  const PelvisFrame& f = m.frame;
  Scene& sc = m.scene;
  const double s = f.scale;
  for (int side = 0; side < 2; ++side) {
    const double sg = kSideSign[side];
    auto P = [&](double x, double y, double z) {
      return f.map(sg, x, y, z) + jitter(rng, 2.0 * s);
    };
    // Iliopsoas: psoas along the spine and over the brim, iliacus lining the iliac fossa.
    const int iliopsoas = sc.add_group(Layer::kMuscle, 6.0);
    const double bulk = rng.uniform(0.85, 1.15);
    TubeSpec psoas = round_tube(
        {P(30, 52, 285), P(40, 48, 175), P(52, 42, 130), P(62, 25, 85), P(72, -8, 45),
         P(84, -34, 10), P(74, -26, -30), f.lesser_trochanter[side] + Vec3d{-sg * 4, -6, 8} * s},
        {13, 18, 22, 22, 19, 15, 13, 9}, s * bulk);
    sc.add_tube(iliopsoas, psoas, kTagMuscle);
    const Blob& wing = f.iliac_wing[side];
    const Vec3d medial{wing.to_local(2, 0), wing.to_local(2, 1), wing.to_local(2, 2)};
    Blob iliacus = wing;
    iliacus.centre = wing.centre + medial * (wing.semi.z + 8.0 * s);
    iliacus.semi = {wing.semi.x * 0.75, wing.semi.y * 0.7, 9.0 * s};
    iliacus.waves = Waves::random(rng, 3, 0.05, 2.0);
    sc.add_blob(iliopsoas, iliacus, kTagMuscle);
    for (double z : {130.0, 60.0, 0.0}) {
      const double t = tube_t_at_z(psoas, z * s);
      m.add_point(sided("psoas_centre_" + std::to_string(static_cast<int>(z)), side),
                  psoas.point_at(t));
    }
    // Pelvic side wall (obturator internus) and floor (levator ani).
    const int wall = sc.add_group(Layer::kMuscle, 6.0);
    const Blob obturator = Blob::random(P(50, 2, -22), Vec3d{7, 30, 24} * s, rng, 0.05);
    sc.add_blob(wall, obturator, kTagMuscle);
    const Mat3 levator_frame = frame_from({sg * 0.55, 0, 0.83}, {0, 1, 0});
    sc.add_blob(wall, Blob::random(P(26, 30, -50), Vec3d{22, 30, 6} * s, rng, 0.05, levator_frame),
                kTagMuscle);
    m.add_point(sided("obturator_internus", side), obturator.centre);
  }
}

/// The abdominal and pelvic cavities, where tissue not claimed by an organ or muscle is fat: an
/// elliptic tube through the true pelvis (inside the bony walls, between pubis and sacrum) that
/// widens into the abdomen (inside the muscular wall), and the ischioanal fossae below the floor.
void build_cavity(Model& m, Rng& rng) {
  const PelvisFrame& f = m.frame;
  const OutlineParams& op = m.outline.params();
  const double s = f.scale, h = f.height * s;
  const double side_wall =
      0.5 * (std::abs(f.head[0].x) + std::abs(f.head[1].x) - f.head_radius[0] - f.head_radius[1]) -
      4.0;
  const double wall = m.muscle_wall;
  auto front_wall = [&](double z) {  // inner surface of the anterior abdominal wall
    return op.centre_y - (op.anterior.at(z) - 1.2 * m.fat - m.skin - wall);
  };
  auto lateral_wall = [&](double z) {
    return op.half_width.at(z) - 1.1 * m.fat - m.skin - wall - 8.0;
  };
  struct Row {
    double z, half_width, front, back;
  };
  const double sym_front_gap = rng.uniform(10.0, 16.0);
  const Row pelvis[] = {
      {-58 * h, 26 * s, f.symphysis_bottom.y + 25, 55 * s},
      {-35 * h, 0.75 * side_wall, f.symphysis_bottom.y + sym_front_gap,
       std::min(sacrum_front_y(f, -35 * h), 68 * s)},
      {0.0, side_wall, f.symphysis_top.y + sym_front_gap, sacrum_front_y(f, 0.0)},
      {40 * h, side_wall + 8 * s, std::max(front_wall(40 * h), f.symphysis_top.y - 10),
       sacrum_front_y(f, 40 * h)},
      {75 * h, side_wall + 22 * s, front_wall(75 * h), sacrum_front_y(f, 75 * h)},
  };
  TubeSpec tube;
  tube.side = {1, 0, 0};
  for (const Row& r : pelvis) {
    tube.points.push_back({0, 0.5 * (r.front + r.back), r.z});
    tube.radius_a.push_back(r.half_width);
    tube.radius_b.push_back(0.5 * (r.back - r.front));
  }
  const int g = m.scene.add_group(Layer::kCavity, 5.0);
  m.scene.add_tube(g, tube, 0);
  // Abdomen: between the iliac wings low down, inside the muscular wall higher up; retroperitoneal
  // fat reaches back to the psoas and the transverse processes.
  TubeSpec abdomen;
  abdomen.side = {1, 0, 0};
  const double back = 62 * s;
  for (double z : {60.0, 100.0, 140.0, 190.0, 300.0}) {
    const double zz = z * h;
    double half_width = lateral_wall(zz);
    if (z < 130) half_width = std::min(half_width, (z < 80 ? 80.0 : 100.0) * s * f.lateral);
    const double front = front_wall(zz);
    abdomen.points.push_back({0, 0.5 * (front + back), zz});
    abdomen.radius_a.push_back(half_width);
    abdomen.radius_b.push_back(0.5 * (back - front));
  }
  m.scene.add_tube(g, abdomen, 0);
  for (int side = 0; side < 2; ++side) {
    const double sg = kSideSign[side];
    m.scene.add_blob(
        g,
        Blob::random(f.map(sg, 32, 30, -68) + jitter(rng, 2.0), Vec3d{16, 30, 22} * s, rng, 0.06),
        0);
  }
}

}  // namespace

double Model::fat_thickness(const Vec3d& p) const {
  const double dx = p.x, dy = p.y - outline.params().centre_y;
  const double r = std::sqrt(dx * dx + dy * dy) + 1e-9;
  const double anterior = std::max(0.0, -dy / r), posterior = std::max(0.0, dy / r);
  // Thicker over the belly, thinner over the sacrum and spine, varying smoothly elsewhere.
  const double shape =
      (0.85 + 0.35 * anterior * anterior) * (1.0 - 0.4 * posterior * std::exp(-(dx * dx) / 1600.0));
  return fat * shape * (0.85 + 0.3 * noise_mm(p, 60.0, salt + 17));  // a texture stream of its own
}

void build_body(Model& m, Rng& rng) {
  const bool female = m.sex == Sex::kFemale;
  m.skin = rng.uniform(1.6, 2.4);
  m.fat = rng.uniform(8.0, 28.0) + (female ? 4.0 : 0.0);
  m.muscle_wall = rng.uniform(6.0, 11.0);
  m.outline = BodyOutline(draw_outline(m, rng));
  build_muscles(m, rng);
  build_cavity(m, rng);
}

void build_vessels(Model& m, Rng& rng) {
  const PelvisFrame& f = m.frame;
  Scene& sc = m.scene;
  const double s = f.scale;
  auto P = [&](double sg, double x, double y, double z) {
    return f.map(sg, x, y, z) + jitter(rng, 2.5 * s);
  };
  const double calibre = rng.uniform(0.9, 1.1);
  const int arteries = sc.add_group(Layer::kVessel, 3.0);
  const int veins = sc.add_group(Layer::kVessel, 3.0);
  const Vec3d bifurcation = P(1, 6, 12, 172);
  sc.add_tube(arteries, round_tube({P(1, 8, 8, 285), bifurcation}, {9, 8.5}, s * calibre),
              kTagArtery);
  const Vec3d confluence = P(1, -14, 24, 162);
  sc.add_tube(veins, round_tube({P(1, -20, 18, 285), confluence}, {11, 10.5}, s * calibre),
              kTagVein);
  m.add_point("aortic_bifurcation", bifurcation);
  m.add_point("iliac_vein_confluence", confluence);
  for (int side = 0; side < 2; ++side) {
    const double sg = kSideSign[side];
    const Vec3d split = P(sg, 36, 24, 112);
    const TubeSpec common =
        round_tube({bifurcation, P(sg, 20, 18, 145), split}, {5.5, 5.2, 5}, s * calibre);
    const TubeSpec external =
        round_tube({split, P(sg, 50, 4, 78), P(sg, 64, -24, 40), P(sg, 74, -46, 8),
                    P(sg, 76, -40, -55), P(sg, 78, -30, -150), P(sg, 74, -25, -270)},
                   {4.5, 4.3, 4.1, 4, 3.8, 3.5, 3.3}, s * calibre);
    const TubeSpec internal =
        round_tube({split, P(sg, 46, 48, 88), P(sg, 50, 62, 60)}, {3.8, 3.2, 2.5}, s * calibre);
    sc.add_tube(arteries, common, kTagArtery);
    sc.add_tube(arteries, external, kTagArtery);
    sc.add_tube(arteries, internal, kTagArtery);
    m.iliac_arteries.insert(m.iliac_arteries.end(), {common, external, internal});
    const Vec3d vsplit = P(sg, 34, 36, 105);
    const TubeSpec vcommon =
        round_tube({confluence, (confluence + vsplit) * 0.5 + Vec3d{0, 2, 0}, vsplit},
                   {7, 6.8, 6.5}, s * calibre);
    const TubeSpec vexternal =
        round_tube({vsplit, P(sg, 46, 14, 74), P(sg, 60, -16, 38), P(sg, 66, -42, 6),
                    P(sg, 66, -34, -55), P(sg, 70, -26, -150), P(sg, 68, -22, -270)},
                   {6, 6, 5.8, 5.5, 5.5, 5, 4.5}, s * calibre);
    const TubeSpec vinternal =
        round_tube({vsplit, P(sg, 42, 60, 84), P(sg, 46, 72, 60)}, {5, 4.5, 3.5}, s * calibre);
    sc.add_tube(veins, vcommon, kTagVein);
    sc.add_tube(veins, vexternal, kTagVein);
    sc.add_tube(veins, vinternal, kTagVein);
    m.internal_iliac_veins.push_back(vinternal);
    m.add_point(sided("common_iliac_artery", side), common.point_at(1.0));
    m.add_point(sided("iliac_artery_bifurcation", side), split);
    m.add_point(sided("external_iliac_artery_upper", side), external.point_at(1.0));
    m.add_point(sided("external_iliac_artery_lower", side), external.point_at(2.0));
    m.add_point(sided("femoral_artery_groin", side), external.point_at(3.0));
    m.add_point(sided("femoral_artery_thigh", side), external.point_at(4.0));
    m.add_point(sided("internal_iliac_artery", side), internal.point_at(1.0));
    m.add_point(sided("common_iliac_vein", side), vcommon.point_at(1.0));
    m.add_point(sided("iliac_vein_bifurcation", side), vsplit);
    m.add_point(sided("external_iliac_vein", side), vexternal.point_at(1.5));
    m.add_point(sided("femoral_vein_groin", side), vexternal.point_at(3.0));
    m.add_point(sided("internal_iliac_vein", side), vinternal.point_at(1.0));
  }
}

void add_skin_points(Model& m) {
  const BodyOutline& o = m.outline;
  const OutlineParams& op = o.params();
  const double inset = m.skin + 1.5;
  for (double z : {op.crotch_z + 30.0, -40.0, 0.0, 50.0, 100.0, 150.0, 200.0}) {
    const std::string level = std::to_string(static_cast<int>(std::lround(z)));
    m.add_point("skin_anterior_z" + level, o.trunk_point(z, -0.5 * M_PI, inset));
    m.add_point("skin_left_z" + level, o.trunk_point(z, 0.0, inset));
    m.add_point("skin_right_z" + level, o.trunk_point(z, M_PI, inset));
    // Off the midline where the gluteal cleft would put the midline point outside.
    m.add_point("skin_posterior_z" + level, o.trunk_point(z, 0.5 * M_PI - 0.6, inset));
  }
  for (double z : {op.crotch_z - 60.0, op.crotch_z - 120.0}) {
    const std::string level = std::to_string(static_cast<int>(std::lround(z)));
    const auto [rx, ry] = o.thigh_radii(z);
    for (int side = 0; side < 2; ++side) {
      const Vec3d c = o.thigh_centre(side, z);
      m.add_point(sided("skin_thigh_lateral_z" + level, side),
                  c + Vec3d{kSideSign[side] * (rx - inset - 1.0), 0, 0});
      m.add_point(sided("skin_thigh_anterior_z" + level, side),
                  c + Vec3d{0, -(ry - inset - 1.0), 0});
    }
  }
}

}  // namespace modir::phantom::detail
