#pragma once

#include <cmath>
#include <cstdint>
#include <random>

namespace modir::phantom {

/// A seeded random source that gives the same numbers with every compiler and standard library:
/// std::mt19937_64's raw output is specified by the standard, its distributions are not, so the
/// conversions to uniform and normal numbers are done here.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  /// Uniform in [0, 1), from the top 53 bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// Uniform integer in [lo, hi].
  int integer(int lo, int hi) {
    return lo + static_cast<int>(uniform() * static_cast<double>(hi - lo + 1));
  }
  /// Standard normal (Box-Muller; one value per call, so the sequence does not depend on state).
  double normal() {
    const double u1 = 1.0 - uniform();  // (0, 1]
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }
  double normal(double mean, double sigma) { return mean + sigma * normal(); }
  bool chance(double probability) { return uniform() < probability; }
  /// An independent stream for a sub-task, so adding draws to one part of the generator does not
  /// change every other part.
  Rng fork(std::uint64_t salt) { return Rng(engine_() ^ (salt * 0x9E3779B97F4A7C15ull)); }

 private:
  std::mt19937_64 engine_;
};

}  // namespace modir::phantom
