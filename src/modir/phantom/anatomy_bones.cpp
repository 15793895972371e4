// Pelvic bones, femora and the lower lumbar spine, built from a template of the adult pelvis
// (left side, mm, origin between the femoral heads) scaled and jittered per patient.

#include <cmath>
#include <string>

#include "modir/phantom/anatomy_model.h"

namespace modir::phantom::detail {

namespace {

double radians(double degrees) {
  return degrees * M_PI / 180.0;
}

Vec3d jitter(Rng& rng, double sigma) {
  return {rng.normal(0.0, sigma), rng.normal(0.0, sigma), rng.normal(0.0, sigma)};
}

TubeSpec make_tube(std::vector<Vec3d> points, std::vector<double> radii, double scale,
                   double step = 5.0) {
  TubeSpec t;
  t.points = std::move(points);
  for (double& r : radii) r *= scale;
  t.radius_a = std::move(radii);
  t.step_mm = step;
  return t;
}

std::string sided(const std::string& name, int side) {
  return name + "_" + kSideName[side];
}

void build_sacrum(Model& m, Rng& rng) {
  PelvisFrame& f = m.frame;
  Scene& sc = m.scene;
  const double s = f.scale;
  auto P = [&](double x, double y, double z) {
    Vec3d p = f.map(1.0, x, y, z) + jitter(rng, 1.5 * s);
    if (x == 0.0) p.x = 0.0;  // midline structures stay on the midline
    return p;
  };
  const int g = sc.add_group(Layer::kBone, 6.0);
  // The sacral body: an elliptic tube, wide and flat, concave anteriorly.
  TubeSpec curve;
  curve.points = {P(0, 58, 92), P(0, 68, 75), P(0, 82, 50),
                  P(0, 92, 25), P(0, 95, 5),  P(0, 90, -12)};
  const double wide = s * f.lateral;
  curve.radius_a = {27 * wide, 24 * wide, 20 * wide, 15 * wide, 11 * wide, 8 * wide};
  curve.radius_b = {17 * s, 16 * s, 14 * s, 11 * s, 9 * s, 7 * s};
  curve.side = {1, 0, 0};
  sc.add_tube(g, curve, kTagBone);
  f.sacral_curve = curve;
  // Alae and lateral masses reaching the sacro-iliac joints.
  for (int side = 0; side < 2; ++side) {
    const double sg = kSideSign[side];
    const Blob ala = Blob::random(f.map(sg, 34, 62, 84) + jitter(rng, s),
                                  Vec3d{22 * wide, 16 * s, 16 * s}, rng, 0.05);
    const Blob mass = Blob::random(f.map(sg, 30, 76, 55) + jitter(rng, s),
                                   Vec3d{16 * wide, 15 * s, 22 * s}, rng, 0.05);
    sc.add_blob(g, ala, kTagBone);
    sc.add_blob(g, mass, kTagBone);
    m.add_point(sided("sacral_ala", side), ala.surface_point({sg, 0, 0.5}, 2.0));
  }
  // Median sacral crest behind, coccyx below.
  const TubeSpec crest =
      make_tube({P(0, 80, 96), P(0, 96, 66), P(0, 108, 36), P(0, 110, 10)}, {7, 7, 6, 5}, s);
  sc.add_tube(g, crest, kTagBone);
  f.sacrum_back_y = -kFar;
  for (double t = 0; t <= crest.last_t(); t += 0.25)
    f.sacrum_back_y = std::max(f.sacrum_back_y, crest.point_at(t).y + crest.radius_a_at(t));
  const TubeSpec coccyx =
      make_tube({P(0, 88, -14), P(0, 82, -26), P(0, 72, -34)}, {6, 4.5, 3}, s, 2.0);
  sc.add_tube(g, coccyx, kTagBone);

  // Landmarks: anterior surface points along the sacrum (promontory first).
  const char* anterior_names[] = {"sacral_promontory", "sacrum_s2_anterior", "sacrum_s3_anterior",
                                  "sacrum_s4_anterior", "sacrum_s5_anterior"};
  for (int i = 0; i < 5; ++i) {
    const Vec3d tan = curve.tangent_at(i);
    const Vec3d ant = Vec3d{0, tan.z, -tan.y} / std::hypot(tan.y, tan.z);
    m.add_point(anterior_names[i], curve.point_at(i) + ant * (curve.radius_b_at(i) - 2.0));
  }
  m.add_point("sacrum_s1_centre", curve.point_at(0.2));
  m.add_point("sacral_crest_upper", crest.point_at(0));
  m.add_point("sacral_crest_middle", crest.point_at(1.5));
  m.add_point("sacral_crest_lower", crest.point_at(3));
  m.add_point("coccyx_base", coccyx.point_at(0));
  m.add_point("coccyx_tip", coccyx.point_at(coccyx.last_t()));
}

void build_lumbar(Model& m, Rng& rng) {
  PelvisFrame& f = m.frame;
  Scene& sc = m.scene;
  const double s = f.scale;
  struct Vertebra {
    const char* name;
    double y, z, tilt, half_width, half_depth, half_height, transverse, spinous;
  };
  const Vertebra vertebrae[] = {{"l5", 45, 132, 15, 27, 18, 13, 42, 22},
                                {"l4", 38, 167, 7, 25, 17, 13.5, 36, 26},
                                {"l3", 36, 202, 1, 24, 17, 13.5, 34, 26},
                                {"l2", 36, 237, -3, 24, 17, 13.5, 32, 26}};
  const int discs = sc.add_group(Layer::kMuscle, 0.0);
  f.spine_back_y = -kFar;
  for (const Vertebra& v : vertebrae) {
    const std::string name = v.name;
    const bool landmarks = name != "l2";  // L2 may reach past the top of the body
    Vec3d centre = f.map(1.0, 0, v.y, v.z) + jitter(rng, 1.0 * s);
    centre.x *= 0.5;
    const double a = radians(v.tilt + rng.normal(0.0, 2.0));
    const Vec3d up{0, -std::sin(a), std::cos(a)};
    const Mat3 frame = frame_from({1, 0, 0}, {0, std::cos(a), std::sin(a)});
    const Mat3 to_world = frame.transposed();
    auto L = [&](double x, double y, double z) { return centre + to_world * (Vec3d{x, y, z} * s); };
    const int g = sc.add_group(Layer::kBone, 4.0);
    Blob body = Blob::random(centre, Vec3d{v.half_width, v.half_depth, v.half_height} * s, rng,
                             0.03, frame);
    body.exponent = 3.0;  // a short cylinder with rounded rims
    sc.add_blob(g, body, kTagBone);
    TubeSpec arch =
        make_tube({L(-13, 15, 2), L(-14, 30, 1), L(0, 38, 0), L(14, 30, 1), L(13, 15, 2)},
                  {4.5, 4.5, 4.5, 4.5, 4.5}, s, 2.5);
    sc.add_tube(g, arch, kTagBone);
    const TubeSpec spinous = make_tube({L(0, 37, 0), L(0, 37 + v.spinous, -8)}, {5, 4}, s, 2.5);
    sc.add_tube(g, spinous, kTagBone);
    const Vec3d tip = spinous.point_at(1.0);
    f.spine_back_y = std::max(f.spine_back_y, tip.y + 4.0 * s);
    for (int side = 0; side < 2; ++side) {
      const double sg = kSideSign[side];
      const TubeSpec tp =
          make_tube({L(sg * 12, 24, 3), L(sg * v.transverse, 28, 4)}, {5, 3.5}, s, 2.5);
      sc.add_tube(g, tp, kTagBone);
      if (landmarks) m.add_point(sided(name + "_transverse_tip", side), tp.point_at(1.0));
    }
    // The disc below the body (soft tissue).
    Blob disc = body;
    disc.centre = centre - up * ((v.half_height + 5.0) * s);
    disc.semi = Vec3d{v.half_width - 1.5, v.half_depth - 1.5, 6.5} * s;
    disc.exponent = 2.0;
    sc.add_blob(discs, disc, kTagDisc);

    if (!landmarks) continue;
    m.add_point(name + "_body_centre", centre);
    m.add_point(name + "_anterior_superior", body.surface_point({0, -1, 1}, 2.0));
    m.add_point(name + "_anterior_inferior", body.surface_point({0, -1, -1}, 2.0));
    m.add_point(name + "_posterior_superior", body.surface_point({0, 1, 1}, 2.0));
    m.add_point(name + "_spinous_tip", tip);
    m.add_point(name + "_disc_below", disc.centre);
  }
}

void build_femur(Model& m, Rng& rng, int side, double head_x) {
  PelvisFrame& f = m.frame;
  Scene& sc = m.scene;
  const double s = f.scale, sg = kSideSign[side];
  const bool female = m.sex == Sex::kFemale;
  const Vec3d head = f.map(sg, head_x, -5.0, 0.0) + jitter(rng, 1.0);
  const double rh = (female ? rng.uniform(21.0, 23.5) : rng.uniform(23.0, 25.5)) * s;
  f.head[side] = head;
  f.head_radius[side] = rh;
  const int g = sc.add_group(Layer::kBone, 8.0);
  sc.add_blob(g, Blob::random(head, {rh, rh, rh}, rng, 0.012), kTagFemoralHead);
  // Neck: inclined ~40 degrees above the horizontal toward the head, anteverted 8-18 degrees.
  const double incline = radians(rng.uniform(36.0, 44.0));
  const double antev = radians(rng.uniform(8.0, 18.0));
  const Vec3d n{sg * std::cos(incline) * std::cos(antev), std::cos(incline) * std::sin(antev),
                -std::sin(incline)};
  const double neck_length = rng.uniform(44.0, 52.0) * s;
  const Vec3d base = head + n * neck_length;
  const TubeSpec neck = make_tube({head, head + n * (0.5 * neck_length), base},
                                  {0.72 * rh, 0.62 * rh, 0.8 * rh}, 1.0, 2.0);
  sc.add_tube(g, neck, kTagFemoralHead);
  const Blob gt = Blob::random(base + Vec3d{sg * 10, 6, 16} * s, Vec3d{15, 21, 23} * s, rng, 0.06);
  sc.add_blob(g, gt, kTagBone);
  const double hx = std::abs(head.x);
  const TubeSpec shaft = make_tube({base + Vec3d{sg * 3, 3, -6},
                                    {sg * (hx + 32 * s), head.y + 4, -90 * s},
                                    {sg * (hx + 24 * s), head.y + 1, -170 * s},
                                    {sg * (hx + 15 * s), head.y - 2, -280 * s}},
                                   {17, 14, 13, 12.5}, s, 4.0);
  sc.add_tube(g, shaft, kTagBoneThick);
  f.femoral_shaft[side] = shaft;
  const Vec3d lt_centre = shaft.point_at(tube_t_at_z(shaft, -58 * s)) + Vec3d{-sg * 11, 9, 0} * s;
  const Blob lt = Blob::random(lt_centre, Vec3d{8, 8, 12} * s, rng, 0.05);
  sc.add_blob(g, lt, kTagBone);
  f.lesser_trochanter[side] = lt_centre;
  const TubeSpec crest = make_tube({gt.centre + Vec3d{-sg * 2, 10, -8} * s,
                                    base + Vec3d{0, 14, -18} * s, lt_centre + Vec3d{0, 2, 4} * s},
                                   {8, 7, 6}, s);
  sc.add_tube(g, crest, kTagBone);
  const Box gt_box = gt.bounds();
  f.trochanter_lateral = std::max(f.trochanter_lateral, side == 1 ? gt_box.hi.x : -gt_box.lo.x);

  m.add_point(sided("femoral_head_centre", side), head);
  m.add_point(sided("femoral_head_top", side), head + Vec3d{0, 0, rh - 3.0});
  m.add_point(sided("femoral_head_anterior", side), head + Vec3d{0, -(rh - 3.0), 0});
  m.add_point(sided("femoral_neck", side), head + n * (0.55 * neck_length));
  m.add_point(sided("greater_trochanter_tip", side), gt.surface_point({0, 0, 1}, 2.0));
  m.add_point(sided("greater_trochanter_lateral", side), gt.surface_point({sg, 0, 0}, 2.0));
  m.add_point(sided("lesser_trochanter", side), lt.surface_point({-sg, 0.7, 0}, 1.5));
  m.add_point(sided("intertrochanteric_crest", side), crest.point_at(1.0));
  const double levels[] = {-100.0, -150.0, -200.0};
  for (int i = 0; i < 3; ++i) {
    const double t = tube_t_at_z(shaft, levels[i] * s);
    const Vec3d lateral{sg * (shaft.radius_a_at(t) - 1.5), 0, 0};
    m.add_point(sided("femoral_shaft_lateral_" + std::to_string(i + 1), side),
                shaft.point_at(t) + lateral);
  }
}

/// The most lateral point on the socket sphere, still inside the acetabular blob, when turning
/// from `start` toward lateral: a point on the acetabular rim.
Vec3d rim_point(const Blob& acetabulum, const Vec3d& head, double radius, const Vec3d& start,
                double sg) {
  Vec3d last = head + start * radius;
  for (int step = 0; step <= 30; ++step) {
    const double b = radians(3.0 * step);
    Vec3d d = start * std::cos(b) + Vec3d{sg, 0, 0} * std::sin(b);
    d = d / d.norm();
    const Vec3d p = head + d * radius;
    if (acetabulum.distance(p) > -1.5) break;
    last = p;
  }
  return last;
}

void build_hip_bone(Model& m, Rng& rng, int side) {
  PelvisFrame& f = m.frame;
  Scene& sc = m.scene;
  const double s = f.scale, sg = kSideSign[side];
  auto P = [&](double x, double y, double z) { return f.map(sg, x, y, z) + jitter(rng, 2.0 * s); };
  const int g = sc.add_group(Layer::kBone, 7.0);
  const Vec3d head = f.head[side];
  const double rh = f.head_radius[side];

  // Acetabulum: a thick cup; the socket (head plus cartilage) is carved from the whole bone.
  const Blob acetabulum =
      Blob::random(head + Vec3d{-sg * 8, 3, 6} * s, Vec3d{23, 33, 35} * s, rng, 0.04);
  sc.add_blob(g, acetabulum, kTagBone);
  const double socket = rh + 2.5;
  sc.carve_sphere(g, head, socket);

  // Iliac wing: a thin plate bent concave medially (the iliac fossa), spanning the sacro-iliac
  // region, the anterior superior spine, the crest and the acetabular roof.
  const Vec3d si = P(50, 72, 78), asis = P(118, -40, 78), crest_top = P(132, 10, 124);
  const Vec3d roof = head + Vec3d{-sg * 6, 0, 30} * s;
  Blob wing;
  wing.centre = (si + asis) * 0.25 + (roof + crest_top) * 0.25;
  wing.to_local = frame_from(asis - si, crest_top - wing.centre);
  if (wing.to_local(2, 0) * sg > 0)  // local z must point medially
    for (int c = 0; c < 3; ++c) wing.to_local(2, c) = -wing.to_local(2, c);
  const Vec3d v_axis{wing.to_local(1, 0), wing.to_local(1, 1), wing.to_local(1, 2)};
  const double top_v = (crest_top - wing.centre).dot(v_axis),
               low_v = (roof - wing.centre).dot(v_axis);
  wing.centre += v_axis * (0.5 * (top_v + low_v));
  wing.semi = {0.5 * (asis - si).norm() + 8 * s, 0.5 * (top_v - low_v) + 4 * s,
               rng.uniform(6.5, 8.5) * s};
  wing.bend = rng.uniform(0.0016, 0.0026) / s;
  wing.waves = Waves::random(rng, 3, 0.04, 2.0);
  sc.add_blob(g, wing, kTagBoneThin);
  f.iliac_wing[side] = wing;

  // Iliac crest along the wing's upper border, from the posterior to the anterior superior spine.
  std::vector<Vec3d> crest_points;
  for (double psi : {160.0, 132.0, 104.0, 76.0, 48.0, 14.0}) {
    const double a = radians(psi);
    crest_points.push_back(
        wing.to_world({0.92 * wing.semi.x * std::cos(a), 0.92 * wing.semi.y * std::sin(a), 0.0}));
  }
  const TubeSpec crest = make_tube(crest_points, {10, 8.5, 8, 8, 7.5, 7}, s);
  sc.add_tube(g, crest, kTagBone);
  double top_t = 0.0;
  for (double t = 0; t <= crest.last_t(); t += 0.1) {
    const Vec3d c = crest.point_at(t);
    f.crest_lateral = std::max(f.crest_lateral, std::abs(c.x) + crest.radius_a_at(t));
    if (c.z > crest.point_at(top_t).z) top_t = t;
  }

  // Body of the ilium: the thick pillar between the acetabular roof and the wing.
  sc.add_blob(g, Blob::random(head + Vec3d{-sg * 5, 10, 36} * s, Vec3d{17, 28, 26} * s, rng, 0.05),
              kTagBone);
  const Blob posterior = Blob::random(P(62, 82, 80), Vec3d{14, 20, 30} * s, rng, 0.05);
  sc.add_blob(g, posterior, kTagBone);
  const Blob aiis = Blob::random(P(100, -28, 45), Vec3d{8, 8, 10} * s, rng, 0.05);
  sc.add_blob(g, aiis, kTagBone);
  // Pelvic brim: arcuate line, iliopectineal eminence, superior pubic ramus.
  const TubeSpec brim = make_tube(
      {P(48, 70, 62), P(60, 42, 45), P(66, 8, 28), P(62, -20, 17), P(44, -40, 6), P(24, -54, -2)},
      {10, 10, 10, 9.5, 8, 8}, s);
  sc.add_tube(g, brim, kTagBone);
  // Pubic body, tilted so its lower end lies more posterior; it reaches just past the midline and
  // the joint gap of the layer leaves the symphysis between the two sides.
  const Mat3 pubic_frame = frame_from({1, 0, 0}, {0, 0.97, 0.24});
  Vec3d pubic_centre = f.map(sg, 12, -50, -18) + jitter(rng, 1.0 * s);
  pubic_centre.x = sg * 12.0 * s;
  const Blob pubic = Blob::random(pubic_centre, Vec3d{13, 10, 21} * s, rng, 0.02, pubic_frame);
  sc.add_blob(g, pubic, kTagBone);
  const Blob tubercle = Blob::random(P(24, -58, -2), Vec3d{6, 6, 6} * s, rng, 0.05);
  sc.add_blob(g, tubercle, kTagBone);
  const TubeSpec inferior_ramus = make_tube(
      {P(14, -48, -34), P(28, -38, -50), P(42, -18, -60), P(54, 4, -58)}, {8, 7, 7, 9}, s);
  sc.add_tube(g, inferior_ramus, kTagBone);
  // Ischium: body, tuberosity and spine; the posterior column up to the greater sciatic notch.
  const TubeSpec ischium =
      make_tube({P(72, 20, -8), P(64, 22, -32), P(57, 14, -50)}, {14, 12, 12}, s);
  sc.add_tube(g, ischium, kTagBone);
  const Blob tuberosity = Blob::random(P(57, 12, -53), Vec3d{11, 16, 13} * s, rng, 0.06);
  sc.add_blob(g, tuberosity, kTagBone);
  f.ischial_tuberosity[side] = tuberosity.centre;
  const TubeSpec spine = make_tube({P(60, 32, -4), P(46, 42, -9)}, {6, 2.5}, s, 2.0);
  sc.add_tube(g, spine, kTagBone);
  const TubeSpec column = make_tube({P(72, 24, 8), P(64, 46, 36), P(55, 66, 62)}, {13, 10, 12}, s);
  sc.add_tube(g, column, kTagBone);

  const Box pubic_box = pubic.bounds();
  f.pubis_front_y = std::min({f.pubis_front_y, pubic_box.lo.y, tubercle.bounds().lo.y});
  const Vec3d top = pubic.surface_point({0, 0, 1}, 2.0),
              bottom = pubic.surface_point({0, 0, -1}, 2.0);
  f.symphysis_top += Vec3d{0, top.y, top.z} * 0.5;
  f.symphysis_bottom += Vec3d{0, bottom.y, bottom.z} * 0.5;

  m.add_point(sided("anterior_superior_iliac_spine", side), crest.point_at(crest.last_t()));
  m.add_point(sided("posterior_superior_iliac_spine", side), crest.point_at(0.0));
  m.add_point(sided("iliac_crest_top", side), crest.point_at(top_t));
  m.add_point(sided("iliac_crest_posterior", side), crest.point_at(1.0));
  m.add_point(sided("iliac_crest_anterior", side), crest.point_at(4.0));
  m.add_point(sided("anterior_inferior_iliac_spine", side), aiis.surface_point({0, -1, 0}, 1.5));
  m.add_point(sided("iliac_fossa", side), wing.to_world({0, 0, 0}));
  m.add_point(sided("sacroiliac_joint_upper", side), posterior.surface_point({-sg, 0, 0.6}, 2.0));
  m.add_point(sided("sacroiliac_joint_lower", side),
              posterior.surface_point({-sg, 0.2, -0.7}, 2.0));
  m.add_point(sided("arcuate_line", side), brim.point_at(1.0));
  m.add_point(sided("iliopectineal_eminence", side), brim.point_at(3.0));
  m.add_point(sided("superior_pubic_ramus", side), brim.point_at(4.0));
  m.add_point(sided("pubic_tubercle", side), tubercle.centre);
  m.add_point(sided("pubic_body_anterior", side), pubic.surface_point({0, -1, 0}, 1.5));
  m.add_point(sided("inferior_pubic_ramus", side), inferior_ramus.point_at(1.5));
  m.add_point(sided("ischial_ramus", side), inferior_ramus.point_at(2.7));
  m.add_point(sided("ischial_tuberosity_lowest", side), tuberosity.surface_point({0, 0, -1}, 2.0));
  m.add_point(sided("ischial_tuberosity_posterior", side),
              tuberosity.surface_point({0, 1, 0}, 2.0));
  m.add_point(sided("ischial_spine", side), spine.point_at(1.0));
  m.add_point(sided("ischium_body", side), ischium.point_at(1.0));
  m.add_point(sided("greater_sciatic_notch", side), column.point_at(1.3));
  m.add_point(sided("obturator_foramen_centre", side),
              (brim.point_at(4.2) + inferior_ramus.point_at(1.5) + ischium.point_at(1.5)) / 3.0);
  const double rim = socket + 2.5;
  m.add_point(sided("acetabular_rim_superior", side),
              rim_point(acetabulum, head, rim, {0, 0, 1}, sg));
  m.add_point(sided("acetabular_rim_anterior", side),
              rim_point(acetabulum, head, rim, {0, -1, 0}, sg));
  m.add_point(sided("acetabular_rim_posterior", side),
              rim_point(acetabulum, head, rim, {0, 1, 0}, sg));
  m.add_point(sided("acetabular_fossa", side), head + Vec3d{-sg * (socket + 3.0), 0, 4});
}

}  // namespace

double tube_t_at_z(const TubeSpec& tube, double z) {
  double lo = 0.0, hi = tube.last_t();
  const bool rising = tube.point_at(hi).z > tube.point_at(lo).z;
  for (int i = 0; i < 50; ++i) {
    const double mid = 0.5 * (lo + hi);
    const bool below = tube.point_at(mid).z < z;
    if (below == rising)
      lo = mid;
    else
      hi = mid;
  }
  return 0.5 * (lo + hi);
}

double sacrum_front_y(const PelvisFrame& frame, double z) {
  const TubeSpec& c = frame.sacral_curve;
  const double t = tube_t_at_z(c, z);
  const Vec3d tan = c.tangent_at(t);
  const double n = std::hypot(tan.y, tan.z);
  const double ant_y = n > 1e-9 ? tan.z / n : -1.0;
  return c.point_at(t).y + ant_y * c.radius_b_at(t);
}

void build_bones(Model& m, Rng& rng) {
  PelvisFrame& f = m.frame;
  const bool female = m.sex == Sex::kFemale;
  f.scale = std::clamp(rng.normal(female ? 0.97 : 1.02, 0.03), 0.9, 1.1);
  f.lateral = female ? rng.uniform(1.04, 1.10) : rng.uniform(0.97, 1.03);
  f.height = female ? rng.uniform(0.92, 0.98) : rng.uniform(0.98, 1.04);
  f.depth = rng.uniform(0.95, 1.05);
  m.cortex = rng.uniform(2.2, 3.0);
  m.cortex_hu = rng.uniform(880.0, 1020.0);
  const double head_x = rng.uniform(83.0, 90.0);
  m.scene.set_joint_gap(Layer::kBone, 3.0);
  f.pubis_front_y = kFar;
  f.symphysis_top = f.symphysis_bottom = {0, 0, 0};  // averaged over the two pubic bodies
  build_sacrum(m, rng);
  build_lumbar(m, rng);
  for (int side = 0; side < 2; ++side) build_femur(m, rng, side, head_x);
  for (int side = 0; side < 2; ++side) build_hip_bone(m, rng, side);
  m.add_point("pubic_symphysis_top", f.symphysis_top);
  m.add_point("pubic_symphysis_bottom", f.symphysis_bottom);
  m.add_point("pubic_symphysis_middle", (f.symphysis_top + f.symphysis_bottom) * 0.5);
}

}  // namespace modir::phantom::detail
