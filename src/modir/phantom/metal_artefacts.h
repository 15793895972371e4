#pragma once

// The streaks metal casts in a CT scan, for `modir phantom --metal` (docs/phantom.md, "Metal").
// A scanner measures line integrals of attenuation and reconstructs the slice by filtered
// back-projection; along rays through metal two things go wrong, and back-projection spreads each
// error along its ray across the whole slice:
// - beam hardening: the polychromatic beam hardens in the metal, so long metal paths are
//   measured as attenuating less than they do (dark bands between two implants, bright ones
//   beside them);
// - photon starvation: few photons get through, so the measurement's noise grows with the
//   attenuation it crosses (noise streaks fanning out of the metal).
// Both are modelled on the sinogram of the metal alone (parallel beam, one slice at a time), and
// the reconstructed error is added to the noise-free scan before acquisition.

#include <cstdint>
#include <optional>

#include "modir/core/image.h"
#include "modir/phantom/hip_prosthesis.h"
#include "modir/phantom/noise.h"

namespace modir::phantom {

/// Noise-free values at or above this are metal (cement, 1500-2500 HU, and bone are not).
inline constexpr float kMetalThresholdHu = 4000.0f;

/// How strongly metal streaks: the share of the metal's attenuation lost to beam hardening at
/// long paths, and the cap on the photon-starvation noise's attenuation (a scanner's dose
/// modulation and detector floor). An implant's or a marker's design carries its own.
struct StreakStrength {
  double beam_hardening = 0.3;
  double starvation_cap = 7.0;
};

/// Adds the streaks of all the metal in a noise-free scan (values at or above kMetalThresholdHu),
/// slice by slice along the grid's third axis. `noise_sigma_hu`: the scan's own noise level,
/// which photon starvation multiplies along metal rays. The noise is seeded per slice from `seed`
/// (thread count does not matter). Slices without metal are left alone.
void add_metal_artefacts(Image<float>& hu, const StreakStrength& strength, double noise_sigma_hu,
                         std::uint64_t seed);
/// The strength of a scan's streaks: the implant's where there is one (its metal dominates every
/// slice it is in), else the markers' (`markers`: their strength when any were placed), else none.
std::optional<StreakStrength> scan_streaks(const std::optional<HipProsthesis>& implant,
                                           const std::optional<StreakStrength>& markers);

/// The same with a prosthesis's strength.
void add_metal_artefacts(Image<float>& hu, const HipProsthesis& design, double noise_sigma_hu,
                         std::uint64_t seed);

/// The seed of a scan's streak noise, from the seed of its acquisition noise: a stream of its own
/// (salted with "metal" in ASCII), so that adding metal leaves the acquisition noise unchanged.
inline std::uint64_t metal_noise_seed(std::uint64_t acquisition_noise_seed) {
  return mix_bits(acquisition_noise_seed ^ 0x6D6574616Cull);
}

}  // namespace modir::phantom
