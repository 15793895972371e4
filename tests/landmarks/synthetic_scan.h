#pragma once

// A small CT-like scan with structure everywhere (for the landmark tests): a soft-tissue body in
// air holding seeded boxes and balls of fat, organ and bone intensities, and mild noise.

#include <cmath>
#include <random>

#include "modir/core/image.h"

namespace modir::test {

inline Image<float> structured_scan(unsigned seed, Size3 size = {80, 72, 56},
                                    Vec3d spacing = {2, 2, 2}) {
  Geometry g;
  g.size = size;
  g.spacing = spacing;
  g.origin = {-0.5 * spacing.x * double(size[0] - 1), -0.5 * spacing.y * double(size[1] - 1),
              -0.5 * spacing.z * double(size[2] - 1)};
  Image<float> scan(g, -1000.0f);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const Vec3d half{0.5 * spacing.x * double(size[0]), 0.5 * spacing.y * double(size[1]),
                   0.5 * spacing.z * double(size[2])};
  struct Shape {
    Vec3d centre, radius;
    bool ball;
    float value;
  };
  std::vector<Shape> shapes;
  const float values[] = {-100.0f, 30.0f, 60.0f, 250.0f, 700.0f, -60.0f};
  for (int i = 0; i < 70; ++i) {
    Shape s;
    for (int a = 0; a < 3; ++a) {
      s.centre[a] = (unit(rng) * 1.5 - 0.75) * half[a];
      s.radius[a] = 3.0 + unit(rng) * 9.0;
    }
    s.ball = unit(rng) < 0.5;
    s.value = values[i % 6];
    shapes.push_back(s);
  }
  std::normal_distribution<double> noise(0.0, 8.0);
  for (std::int64_t z = 0; z < size[2]; ++z)
    for (std::int64_t y = 0; y < size[1]; ++y)
      for (std::int64_t x = 0; x < size[0]; ++x) {
        const Vec3d p = g.index_to_world({double(x), double(y), double(z)});
        // The body: an elliptic cylinder along z filling most of the grid.
        const double e = (p.x / (0.85 * half.x)) * (p.x / (0.85 * half.x)) +
                         (p.y / (0.8 * half.y)) * (p.y / (0.8 * half.y));
        float v = e <= 1.0 ? 40.0f : -1000.0f;
        if (e <= 1.0) {
          for (const Shape& s : shapes) {
            const Vec3d d = p - s.centre;
            const bool inside = s.ball
                                    ? (d.x * d.x) / (s.radius.x * s.radius.x) +
                                              (d.y * d.y) / (s.radius.y * s.radius.y) +
                                              (d.z * d.z) / (s.radius.z * s.radius.z) <=
                                          1.0
                                    : std::abs(d.x) <= s.radius.x && std::abs(d.y) <= s.radius.y &&
                                          std::abs(d.z) <= s.radius.z;
            if (inside) v = s.value;
          }
        }
        scan(x, y, z) = v + float(noise(rng));
      }
  return scan;
}

}  // namespace modir::test
