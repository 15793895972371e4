#pragma once

#include <cmath>
#include <cstdint>

#include "modir/core/vec.h"

namespace modir::phantom {

/// splitmix64's finaliser: a cheap hash that mixes every input bit into every output bit.
inline std::uint64_t mix_bits(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBull;
  x ^= x >> 31;
  return x;
}

/// A uniform value in [0, 1) attached to an integer lattice point. The salt gives each patient
/// and each texture its own values. Integer arithmetic only, so every machine agrees.
inline double lattice_value(std::int64_t i, std::int64_t j, std::int64_t k, std::uint64_t salt) {
  const std::uint64_t h = mix_bits(salt + static_cast<std::uint64_t>(i) * 0x9E3779B97F4A7C15ull +
                                   static_cast<std::uint64_t>(j) * 0xC2B2AE3D27D4EB4Full +
                                   static_cast<std::uint64_t>(k) * 0x165667B19E3779F9ull);
  return static_cast<double>(h >> 11) * 0x1.0p-53;
}

/// Smooth value noise in [0, 1] at a point given in lattice units (one unit is the feature
/// size): random values on the integer lattice blended with smoothstep weights. Stateless, hence
/// thread-safe, and a pure function of the point, so textures stay put when a scan is resampled.
inline double value_noise(const Vec3d& p, std::uint64_t salt) {
  const double fx = std::floor(p.x), fy = std::floor(p.y), fz = std::floor(p.z);
  const auto ix = static_cast<std::int64_t>(fx);
  const auto iy = static_cast<std::int64_t>(fy);
  const auto iz = static_cast<std::int64_t>(fz);
  double tx = p.x - fx, ty = p.y - fy, tz = p.z - fz;
  tx = tx * tx * (3.0 - 2.0 * tx);
  ty = ty * ty * (3.0 - 2.0 * ty);
  tz = tz * tz * (3.0 - 2.0 * tz);
  auto lerp = [](double a, double b, double t) { return a + (b - a) * t; };
  const double c00 = lerp(lattice_value(ix, iy, iz, salt), lattice_value(ix + 1, iy, iz, salt), tx);
  const double c10 =
      lerp(lattice_value(ix, iy + 1, iz, salt), lattice_value(ix + 1, iy + 1, iz, salt), tx);
  const double c01 =
      lerp(lattice_value(ix, iy, iz + 1, salt), lattice_value(ix + 1, iy, iz + 1, salt), tx);
  const double c11 = lerp(lattice_value(ix, iy + 1, iz + 1, salt),
                          lattice_value(ix + 1, iy + 1, iz + 1, salt), tx);
  return lerp(lerp(c00, c10, ty), lerp(c01, c11, ty), tz);
}

/// Value noise of a given feature size in mm, in [0, 1].
inline double noise_mm(const Vec3d& p, double feature_mm, std::uint64_t salt) {
  return value_noise(p * (1.0 / feature_mm), salt);
}

}  // namespace modir::phantom
