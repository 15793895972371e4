// Sigmoid and colon, and small-bowel loops: drawn first, then lifted clear of the bladder (and
// uterus) of this state, as a filling bladder lifts the bowel out of the pelvis.

#include <cmath>
#include <string>

#include "modir/phantom/anatomy_model.h"

namespace modir::phantom::detail {

namespace {

/// Moves a centre-line point of a tube of radius r up until the tube clears the bladder and the
/// uterus, then inward until it lies under the abdominal wall.
Vec3d place(const Model& m, Vec3d p, double r) {
  const StarShape& b = m.bladder;
  for (int i = 0; i < 120; ++i) {
    bool hit = false;
    const Vec3d q = p - b.centre;
    const double n = q.norm();
    if (n < 1e-9 || n < b.radius(q / n) + r + 4.0) hit = true;
    for (const TubeSpec& t : m.obstacles)
      for (double u = 0.0; u <= t.last_t() && !hit; u += 0.25)
        if ((p - t.point_at(u)).norm() < t.radius_a_at(u) + r + 4.0) hit = true;
    if (!hit) break;
    p.z += 3.0;
  }
  const double cy = m.outline.params().centre_y;
  for (int i = 0; i < 60; ++i) {
    const double need = m.skin + m.fat_thickness(p) + m.muscle_wall + r + 3.0;
    if (m.outline.depth(p) >= need) break;
    const Vec3d in{-p.x, cy - p.y, 0};
    const double len = in.norm();
    if (len < 3.0) break;
    p += in * (3.0 / len);
  }
  return p;
}

}  // namespace

void build_bowel(Model& m, Rng& rng) {
  const PelvisFrame& f = m.frame;
  const double s = f.scale;
  Scene& sc = m.scene;
  auto P = [&](double sg, double x, double y, double z) {
    return f.map(sg, x, y, z) +
           Vec3d{rng.normal(0.0, 4.0), rng.normal(0.0, 4.0), rng.normal(0.0, 4.0)};
  };

  // Draws first (fixed count), placement after.
  TubeSpec sigmoid;
  sigmoid.points = {m.rectum.points.back(), P(1, 20, 35, 85),  P(1, 38, 10, 92),
                    P(1, 50, -15, 105),     P(1, 55, -5, 125), P(1, 75, 25, 145),
                    P(1, 88, 38, 180),      P(1, 92, 42, 285)};
  const double r_sigmoid = rng.uniform(13.0, 17.0) * s;
  sigmoid.radius_a = std::vector<double>(sigmoid.points.size(), r_sigmoid);
  sigmoid.radius_a[0] = m.rectum.radius_a.back();
  const float sigmoid_gas = static_cast<float>(rng.chance(0.6) ? rng.uniform(0.15, 0.4) : 0.0);
  TubeSpec ascending;
  ascending.points = {P(-1, 50, -25, 60), P(-1, 60, -10, 95), P(-1, 72, 5, 130), P(-1, 88, 30, 175),
                      P(-1, 92, 38, 285)};
  const double r_colon = rng.uniform(0.85, 1.1) * s;
  ascending.radius_a = {26 * r_colon, 27 * r_colon, 24 * r_colon, 22 * r_colon, 22 * r_colon};
  const float colon_gas = static_cast<float>(rng.uniform(0.15, 0.45));

  struct Loop {
    TubeSpec tube;
    float gas;
  };
  std::vector<Loop> loops(static_cast<std::size_t>(rng.integer(4, 6)));
  const Vec3d lo = Vec3d{-75 * s, -80 * s, 45 * s}, hi = Vec3d{75 * s, -5 * s, 210};
  for (Loop& loop : loops) {
    Vec3d p{rng.uniform(-65.0, 65.0) * s, rng.uniform(-70.0, -15.0) * s,
            rng.uniform(45.0, 200.0) * s};
    Vec3d dir = random_unit(rng);
    const double radius = rng.uniform(10.0, 14.0) * s;
    loop.gas = static_cast<float>(rng.chance(0.55) ? rng.uniform(0.2, 0.5) : 0.0);
    const int count = rng.integer(6, 9);
    for (int k = 0; k < count; ++k) {
      loop.tube.points.push_back(p);
      dir = dir + random_unit(rng) * 0.9;
      dir = dir / dir.norm();
      p += dir * (rng.uniform(22.0, 30.0) * s);
      for (int a = 0; a < 3; ++a) {  // bounce off the region's walls
        if (p[a] < lo[a]) p[a] = 2 * lo[a] - p[a], dir[a] = -dir[a];
        if (p[a] > hi[a]) p[a] = 2 * hi[a] - p[a], dir[a] = -dir[a];
      }
    }
    loop.tube.radius_a = std::vector<double>(loop.tube.points.size(), radius);
  }

  for (std::size_t i = 2; i < sigmoid.points.size(); ++i)
    sigmoid.points[i] = place(m, sigmoid.points[i], r_sigmoid);
  for (std::size_t i = 0; i < 2; ++i)
    ascending.points[i] = place(m, ascending.points[i], 27 * r_colon);
  for (Loop& loop : loops)
    for (Vec3d& p : loop.tube.points) p = place(m, p, loop.tube.radius_a[0]);

  const int colon = sc.add_group(Layer::kBowel, 0.0);
  sc.add_tube(colon, sigmoid, kTagColon, sigmoid_gas);
  sc.add_tube(colon, ascending, kTagColon, colon_gas);
  const int small = sc.add_group(Layer::kBowel, 0.0);
  for (const Loop& loop : loops) sc.add_tube(small, loop.tube, kTagSmallBowel, loop.gas);

  for (std::size_t i = 1; i + 1 < sigmoid.points.size(); ++i)
    m.add_point("sigmoid_" + std::to_string(i), sigmoid.points[i]);
  m.add_point("caecum", ascending.points[0]);
  m.add_point("ascending_colon_lower", ascending.points[1]);
  m.add_point("ascending_colon_upper", ascending.points[3]);
  for (std::size_t l = 0; l < loops.size(); ++l) {
    const TubeSpec& t = loops[l].tube;
    const std::string name = "small_bowel_" + std::to_string(l + 1) + "_";
    m.add_point(name + "start", t.points.front());
    m.add_point(name + "middle", t.points[t.points.size() / 2]);
    m.add_point(name + "end", t.points.back());
  }
}

}  // namespace modir::phantom::detail
