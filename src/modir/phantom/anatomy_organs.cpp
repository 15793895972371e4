// Bladder, rectum (with gas), prostate and seminal vesicles or uterus and cervix.
//
// All random draws of an organ happen before anything depends on the bladder volume, so two
// anatomies of one seed with different states differ only where the bladder pushes.

#include <cmath>
#include <string>

#include "modir/phantom/anatomy_model.h"

namespace modir::phantom::detail {

namespace {

double radians(double degrees) {
  return degrees * M_PI / 180.0;
}

std::string sided(const std::string& name, int side) {
  return name + "_" + kSideName[side];
}

/// Directions spread evenly over the sphere (Fibonacci lattice).
std::vector<Vec3d> sphere_directions(int n) {
  std::vector<Vec3d> d;
  const double golden = M_PI * (3.0 - std::sqrt(5.0));
  for (int i = 0; i < n; ++i) {
    const double z = 1.0 - 2.0 * (i + 0.5) / n;
    const double r = std::sqrt(1.0 - z * z);
    d.push_back({r * std::cos(golden * i), r * std::sin(golden * i), z});
  }
  return d;
}

/// Largest y inside the bladder (wall included) on the line through (x, ., z); -kFar if the
/// line misses the bladder.
double bladder_back_y(const Model& m, double x, double z) {
  const StarShape& b = m.bladder;
  Vec3d p{x, b.centre.y, z};
  if (b.normalised_radius(p) >= 1.0) return -kFar;
  double lo = b.centre.y, hi = b.centre.y + 300.0;
  for (int i = 0; i < 40; ++i) {
    const double mid = 0.5 * (lo + hi);
    p.y = mid;
    (b.normalised_radius(p) < 1.0 ? lo : hi) = mid;
  }
  return lo;
}

/// y of the rectum's anterior outer surface at height z.
double rectum_front_y(const Model& m, double z) {
  const double t = tube_t_at_z(m.rectum, z);
  return m.rectum.point_at(t).y - m.rectum.radius_a_at(t);
}

void build_bladder(Model& m, Rng& rng) {
  const PelvisFrame& f = m.frame;
  StarShape& b = m.bladder;
  b.semi_axes = {rng.uniform(0.95, 1.08), rng.uniform(0.8, 0.94), rng.uniform(1.0, 1.15)};
  // Egg-shaped about a low centre: the radius grows upward as 1 + a sin(d_z), so the centre sits
  // about a third of the height above the base and a filling bladder rises. A second wave flattens
  // the anterior-inferior side, which lies against the pubis, in favour of the posterior dome.
  b.wave_vectors = {{0, 0, 1}, {0, -M_SQRT1_2, -M_SQRT1_2}};
  b.wave_amplitudes = {rng.uniform(0.36, 0.44), -rng.uniform(0.06, 0.12)};
  b.wave_phases = {-0.5 * M_PI, -0.5 * M_PI};
  for (int i = 0; i < 2; ++i) {
    const Vec3d direction = random_unit(rng);  // a draw of its own: operand order is unspecified
    b.wave_vectors.push_back(direction * rng.uniform(1.5, 2.5));
    b.wave_amplitudes.push_back(rng.uniform(0.015, 0.04));
    b.wave_phases.push_back(rng.uniform(0.0, 2.0 * M_PI));
  }
  const Vec3d jitter{rng.uniform(-4.0, 4.0), rng.uniform(34.0, 40.0) * f.depth * f.scale,
                     rng.uniform(-4.0, 4.0)};
  m.bladder_wall = rng.uniform(2.7, 3.3);

  b.scale = 1.0;
  b.centre = {0, 0, 0};
  const double unit_volume = b.volume_ml();
  const std::vector<Vec3d> directions = sphere_directions(4000);
  double lowest = 0.0;
  for (const Vec3d& d : directions) lowest = std::min(lowest, d.z * b.radius(d));
  // The base rests on the pelvic floor for a typical filling of 250 ml; the centre is fixed for
  // the patient, so other fillings scale the shape about it.
  const double reference_scale = std::cbrt(250.0 / unit_volume);
  const double floor_z =
      f.symphysis_bottom.z + 0.7 * (f.symphysis_top.z - f.symphysis_bottom.z) + jitter.z;
  b.centre = {jitter.x, f.symphysis_top.y + jitter.y, floor_z - lowest * reference_scale};
  b.scale = std::cbrt(m.state.bladder_volume_ml / unit_volume);

  Vec3d lo{kFar, kFar, kFar}, hi{-kFar, -kFar, -kFar};
  std::array<Vec3d, 3> lo_dirs, hi_dirs;
  for (const Vec3d& d : directions) {
    const Vec3d q = d * b.radius(d);
    for (int a = 0; a < 3; ++a) {
      if (q[a] < lo[a]) lo[a] = q[a], lo_dirs[a] = d;
      if (q[a] > hi[a]) hi[a] = q[a], hi_dirs[a] = d;
    }
  }
  m.bladder_box = Box{};
  m.bladder_box.include(b.centre + lo - Vec3d{2, 2, 2});
  m.bladder_box.include(b.centre + hi + Vec3d{2, 2, 2});
  m.bladder_bottom_z = b.centre.z + lo.z;
  m.bladder_top_z = b.centre.z + hi.z;
  m.bladder_neck = b.centre + lo_dirs[2] * b.radius(lo_dirs[2]);

  auto at = [&](const Vec3d& d) { return b.centre + d * (b.radius(d) - 2.0); };
  m.add_point("bladder_dome", at(hi_dirs[2]));
  m.add_point("bladder_neck", at(lo_dirs[2]));
  m.add_point("bladder_anterior", at(lo_dirs[1]));
  m.add_point("bladder_posterior", at(hi_dirs[1]));
  m.add_point("bladder_left", at(hi_dirs[0]));
  m.add_point("bladder_right", at(lo_dirs[0]));
  m.add_point("bladder_centre", b.centre);
  for (int i = 0; i < 8; ++i) {
    const Vec3d d =
        Vec3d{i & 1 ? 1.0 : -1.0, i & 2 ? 1.0 : -1.0, i & 4 ? 1.0 : -1.0} / std::sqrt(3.0);
    const std::string name = std::string("bladder_wall_") + (i & 2 ? "posterior_" : "anterior_") +
                             (i & 1 ? "left_" : "right_") + (i & 4 ? "superior" : "inferior");
    m.add_point(name, at(d));
  }
}

void build_rectum(Model& m, Rng& rng) {
  const PelvisFrame& f = m.frame;
  const double s = f.scale;
  const double widest = rng.uniform(15.5, 21.0) * s;
  const double gap = rng.uniform(5.0, 11.0) * s;
  auto low = [&](double x, double y, double z) {
    return f.map(1.0, x, y, z) + Vec3d{rng.uniform(-1.5, 1.5), rng.uniform(-2.0, 2.0), 0};
  };
  TubeSpec& r = m.rectum;
  r.points = {low(0, 46, -84), low(0, 34, -64), low(0, 28, -46), low(0, 40, -28)};
  r.radius_a = {7 * s, 8 * s, 12 * s, 0.92 * widest};
  // Above the coccyx the rectum follows the sacral hollow a few millimetres in front of it.
  const double heights[] = {-8, 14, 36, 56, 72};
  const double profile[] = {1.0, 0.95, 0.85, 0.76, 0.72};
  for (int i = 0; i < 5; ++i) {
    const double z = heights[i] * f.height * s;
    const double radius = profile[i] * widest;
    const double x = (i == 4 ? 8.0 * s : 0.0) + rng.uniform(-6.0, 6.0);
    r.points.push_back({x, sacrum_front_y(f, z) - gap - radius, z});
    r.radius_a.push_back(radius);
  }
  Scene& sc = m.scene;
  sc.add_tube(sc.add_group(Layer::kRectum, 0.0), r, kTagRectum);
  m.gut_wall = rng.uniform(2.5, 3.2);

  // Gas rises to the anterior side of the lumen (the patient lies supine).
  const int pockets = rng.chance(0.12) ? 0 : rng.integer(1, 3);
  for (int i = 0; i < pockets; ++i) {
    const double t = rng.uniform(3.0, r.last_t() - 0.3);
    const double lumen = r.radius_a_at(t) - m.gut_wall;
    const Vec3d offset{rng.uniform(-0.25, 0.25) * lumen, -rng.uniform(0.15, 0.45) * lumen, 0};
    const double radius = rng.uniform(4.0, 11.0) * s;
    const Vec3d centre = r.point_at(t) + offset;
    m.rectal_gas.emplace_back(centre, radius * m.state.rectal_gas_scale);
    m.add_point("rectal_gas_" + std::to_string(i + 1), centre);
  }

  m.add_point("anal_verge", r.points[0]);
  m.add_point("anorectal_junction", r.points[2]);
  m.add_point("rectosigmoid_junction", r.points.back());
  for (int level = 0; level < 5; ++level) {
    const double t = 3.0 + level;
    const Vec3d c = r.point_at(t), tan = r.tangent_at(t);
    const double radius = r.radius_a_at(t) - 1.5;
    const std::pair<const char*, Vec3d> dirs[] = {{"anterior", {0, -1, 0}},
                                                  {"posterior", {0, 1, 0}},
                                                  {"left", {1, 0, 0}},
                                                  {"right", {-1, 0, 0}}};
    for (const auto& [name, d] : dirs) {
      Vec3d perp = d - tan * d.dot(tan);
      perp = perp / perp.norm();
      m.add_point(std::string("rectum_wall_") + name + "_" + std::to_string(level + 1),
                  c + perp * radius);
    }
  }
}

void build_prostate(Model& m, Rng& rng) {
  const PelvisFrame& f = m.frame;
  const double s = f.scale;
  Scene& sc = m.scene;
  const Vec3d semi =
      Vec3d{rng.uniform(20.0, 25.0), rng.uniform(13.0, 16.5), rng.uniform(15.0, 19.0)} * s;
  const double tilt = radians(rng.uniform(15.0, 30.0));  // apex anterior-inferior
  Blob prostate;
  prostate.semi = semi;
  prostate.to_local = frame_from({1, 0, 0}, {0, std::cos(tilt), -std::sin(tilt)});
  prostate.waves = Waves::random(rng, 3, 0.035, 2.0);
  const double forward = rng.uniform(-2.0, 5.0);
  double vesicle_size[2];
  for (double& v : vesicle_size) v = rng.uniform(0.85, 1.15) * s;

  // Below the bladder neck of this state, clear of the rectum.
  const double top = std::hypot(semi.z * std::cos(tilt), semi.y * std::sin(tilt));
  const Vec3d neck = m.bladder_neck;
  prostate.centre = {0.5 * neck.x, neck.y + forward, m.bladder_bottom_z + 1.0 - top};
  const double back = std::hypot(semi.y * std::cos(tilt), semi.z * std::sin(tilt));
  prostate.centre.y =
      std::min(prostate.centre.y, rectum_front_y(m, prostate.centre.z) - 2.0 - back);
  const int g = sc.add_group(Layer::kUterusProstate, 4.0);
  sc.add_blob(g, prostate, kTagProstate);

  for (int side = 0; side < 2; ++side) {
    const double sg = kSideSign[side];
    const Vec3d p0 = prostate.to_world({sg * 6.0 * s, 0.55 * semi.y, 0.7 * semi.z});
    auto between = [&](double x, double z, double radius) {
      const double front = rectum_front_y(m, z);
      const double bladder = bladder_back_y(m, x, z);
      double y = bladder > -kFar ? 0.5 * (bladder + front) : front - radius - 3.0;
      if (bladder > -kFar) y = std::max(y, bladder + radius + 1.0);
      return y;
    };
    const double r1 = 6.0 * vesicle_size[side], r2 = 4.5 * vesicle_size[side];
    const double z1 = p0.z + 9.0 * s, z2 = p0.z + 16.0 * s;
    TubeSpec vesicle;
    vesicle.points = {p0,
                      {sg * 17.0 * s, between(sg * 17.0 * s, z1, r1), z1},
                      {sg * 30.0 * s, between(sg * 30.0 * s, z2, r2) + 2.0, z2}};
    vesicle.radius_a = {5.0 * vesicle_size[side], r1, r2};
    sc.add_tube(g, vesicle, kTagSeminalVesicle);
    m.add_point(sided("seminal_vesicle", side), vesicle.point_at(1.0));
    m.add_point(sided("seminal_vesicle_tip", side), vesicle.point_at(1.9));
  }
  m.add_point("prostate_apex", prostate.surface_point({0, 0, -1}, 2.0));
  m.add_point("prostate_base", prostate.surface_point({0, 0, 1}, 2.0));
  m.add_point("prostate_left", prostate.surface_point({1, 0, 0}, 2.0));
  m.add_point("prostate_right", prostate.surface_point({-1, 0, 0}, 2.0));
  m.add_point("prostate_anterior", prostate.surface_point({0, -1, 0}, 2.0));
  m.add_point("prostate_posterior", prostate.surface_point({0, 1, 0}, 2.0));
  m.add_point("prostate_centre", prostate.centre);
}

void build_uterus(Model& m, Rng& rng) {
  const PelvisFrame& f = m.frame;
  const double s = f.scale;
  Scene& sc = m.scene;
  const double rc = rng.uniform(11.0, 14.0) * s, lc = rng.uniform(24.0, 32.0) * s;
  const double body_length = rng.uniform(68.0, 85.0) * s;
  const double width = rng.uniform(24.0, 30.0) * s, thickness = rng.uniform(16.0, 21.0) * s;
  const double start = radians(rng.uniform(-45.0, -25.0));
  const double lateral = rng.uniform(-6.0, 6.0);

  // The cervix starts behind the bladder base; cervix and body then lie draped over the bladder
  // surface, so the fundus tilts anteriorly over the dome of an empty bladder, and a full
  // bladder turns the uterus up and back. Marching at constant steps keeps the length.
  constexpr int kPoints = 12;
  const double total = lc + body_length, step = total / (kPoints - 1);
  auto half_thickness = [&](int k) {
    const double a = k * step;
    if (a <= lc) return rc;
    const double u = (a - lc) / body_length;
    return rc + (thickness - rc) * std::min(1.0, u / 0.3);
  };
  const StarShape& b = m.bladder;
  auto free_drape = [&](double angle, int k) {
    const Vec3d d{0, std::cos(angle), std::sin(angle)};
    const double r = std::max(b.radius(d) + half_thickness(k) + 2.0, 40.0 * s);
    return b.centre + d * r + Vec3d{lateral * std::cos(angle), 0, 0};
  };
  auto room = [&](const Vec3d& p, int k) {
    return sacrum_front_y(f, p.z) - half_thickness(k) - 4.0;
  };
  // Where the sacrum leaves no room behind the bladder, the uterus is pressed against it.
  auto drape = [&](double angle, int k) {
    Vec3d p = free_drape(angle, k);
    p.y = std::min(p.y, room(p, k));
    return p;
  };
  std::vector<Vec3d> path;
  double angle = start;
  for (int k = 0; k < kPoints; ++k) {
    path.push_back(drape(angle, k));
    if (k + 1 == kPoints) break;
    double da = step / (path.back() - b.centre).norm();
    for (int it = 0; it < 3; ++it)  // refine so the chord equals the step
      da *= step / std::max(1e-6, (drape(angle + da, k + 1) - path.back()).norm());
    angle += da;
    // ... and turns up over the dome a little faster, as long as its length barely grows.
    auto blocked = [&](double a) {
      const Vec3d p = free_drape(a, k + 1);
      return p.y > room(p, k + 1);
    };
    while (blocked(angle) &&
           (drape(angle + radians(1.0), k + 1) - path.back()).norm() <= 1.25 * step)
      angle += radians(1.0);
  }
  const int cervix_end = std::max(1, static_cast<int>(std::lround(lc / step)));
  TubeSpec cervix, body;
  cervix.side = body.side = {1, 0, 0};
  for (int k = 0; k <= cervix_end; ++k) {
    cervix.points.push_back(path[k]);
    cervix.radius_a.push_back(rc);
    cervix.radius_b.push_back(rc);
  }
  for (int k = cervix_end; k < kPoints; ++k) {
    const double u = static_cast<double>(k - cervix_end) / (kPoints - 1 - cervix_end);
    // Pear shape: narrow isthmus, broad fundus, rounded top.
    const double profile = u < 0.75 ? 0.55 + 0.45 * std::sin(u / 0.75 * 0.5 * M_PI)
                                    : 1.0 - 0.8 * std::pow((u - 0.75) / 0.25, 2.0);
    body.points.push_back(path[k]);
    body.radius_a.push_back(std::max(rc, width * profile));
    body.radius_b.push_back(std::max(0.6 * rc, half_thickness(k) * std::max(profile, 0.5)));
  }
  const int g = sc.add_group(Layer::kUterusProstate, 6.0);
  sc.add_tube(g, cervix, kTagCervix);
  sc.add_tube(g, body, kTagUterus);
  m.obstacles.push_back(body);
  // Vagina: a flattened soft-tissue tube below the cervix (body label).
  const Vec3d os = path.front();
  const Vec3d down = (path[0] - path[1]) / (path[0] - path[1]).norm();
  TubeSpec vagina;
  vagina.points = {os + down * 4.0, os + down * 10.0 + Vec3d{0, -2, -24} * s,
                   os + Vec3d{0, -4, -60} * s};
  vagina.radius_a = {14 * s, 14 * s, 12 * s};
  vagina.radius_b = {5 * s, 5 * s, 4 * s};
  vagina.side = {1, 0, 0};
  sc.add_tube(sc.add_group(Layer::kMuscle, 0.0), vagina, kTagVagina);

  const double tf = body.last_t();
  const Vec3d top = body.point_at(tf), top_tangent = body.tangent_at(tf);
  m.add_point("uterine_fundus", top + top_tangent * (body.radius_b_at(tf) - 2.5));
  const double mid = 0.5 * tf;
  const Vec3d c = body.point_at(mid), tan = body.tangent_at(mid);
  Vec3d normal = Vec3d{1, 0, 0}.cross(tan);
  normal = normal / normal.norm();
  m.add_point("uterus_body_centre", c);
  m.add_point("uterus_wall_a", c + normal * (body.radius_b_at(mid) - 2.0));
  m.add_point("uterus_wall_b", c - normal * (body.radius_b_at(mid) - 2.0));
  const double tc = 0.8 * tf;
  m.add_point("uterine_cornu_left", body.point_at(tc) + Vec3d{body.radius_a_at(tc) - 3.0, 0, 0});
  m.add_point("uterine_cornu_right", body.point_at(tc) - Vec3d{body.radius_a_at(tc) - 3.0, 0, 0});
  m.add_point("cervix_internal_os", path[cervix_end]);
  m.add_point("cervix_external_os", os - down * 2.0);
  m.add_point("cervix_centre", cervix.point_at(0.5 * cervix.last_t()));
  m.add_point("vagina_upper", vagina.point_at(1.0));
  m.add_point("vagina_lower", vagina.point_at(1.8));
}

}  // namespace

void build_pelvic_organs(Model& m, Rng& rng) {
  Rng bladder_rng = rng.fork(1), rectum_rng = rng.fork(2), gland_rng = rng.fork(3);
  build_bladder(m, bladder_rng);
  build_rectum(m, rectum_rng);
  if (m.sex == Sex::kMale)
    build_prostate(m, gland_rng);
  else
    build_uterus(m, gland_rng);
}

}  // namespace modir::phantom::detail
