#include "modir/dataset/intensity_checks.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "modir/core/hounsfield.h"

namespace modir::dataset {

namespace {

double median_of(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

}  // namespace

std::vector<double> intensity_offsets(const std::vector<ScanSummary>& scans) {
  std::vector<double> offsets(scans.size(), 0.0);
  std::vector<const std::vector<double>*> histograms;
  for (const ScanSummary& s : scans)
    if (s.usable()) histograms.push_back(&s.intensity.histogram);
  if (histograms.empty()) return offsets;
  // The reference: the bin-wise median histogram, which scans with an offset do not move.
  std::vector<double> reference(histograms[0]->size());
  std::vector<double> column(histograms.size());
  for (std::size_t b = 0; b < reference.size(); ++b) {
    for (std::size_t h = 0; h < histograms.size(); ++h) column[h] = (*histograms[h])[b];
    reference[b] = median_of(column);
  }
  std::vector<double> shifts;
  for (std::size_t i = 0; i < scans.size(); ++i) {
    if (!scans[i].usable()) continue;
    offsets[i] = histogram_shift(scans[i].intensity.histogram, reference);
    shifts.push_back(offsets[i]);
  }
  const double centre = median_of(shifts);
  for (std::size_t i = 0; i < scans.size(); ++i)
    if (scans[i].usable()) offsets[i] -= centre;
  return offsets;
}

std::vector<Finding> intensity_findings(const std::vector<ScanSummary>& scans) {
  const std::vector<double> offsets = intensity_offsets(scans);
  std::vector<double> noise;
  for (const ScanSummary& s : scans)
    if (s.usable()) noise.push_back(s.intensity.noise_sigma_hu);
  const double median_noise = median_of(noise);
  std::vector<Finding> findings;
  for (std::size_t i = 0; i < scans.size(); ++i) {
    const ScanSummary& s = scans[i];
    if (!s.usable()) continue;
    std::string what;
    if (std::abs(offsets[i]) > 15.0)
      what = fmt::format("soft tissue sits {:+.0f} HU from the cohort's", offsets[i]);
    const double sigma = s.intensity.noise_sigma_hu;
    if (sigma > 1.5 * median_noise && sigma > median_noise + 8.0)
      what += fmt::format("{}noise {:.0f} HU where the cohort median is {:.0f} HU",
                          what.empty() ? "" : "; ", sigma, median_noise);
    if (what.empty()) continue;
    findings.push_back(
        {"intensity_outlier",
         Severity::kWarning,
         {s.entry.patient_id},
         {s.entry.scan_id},
         {s.entry.image_as_written},
         "intensities unlike the cohort (another scanner or calibration?): " + what});
  }
  return findings;
}

std::vector<Finding> metal_findings(const std::vector<ScanSummary>& scans) {
  std::vector<Finding> findings;
  for (const ScanSummary& s : scans) {
    // A millilitre: an implant or a cluster of markers, not a noise spike or a calcification.
    if (!s.usable() || s.intensity.metal_ml < 1.0) continue;
    findings.push_back(
        {"metal",
         Severity::kInfo,
         {s.entry.patient_id},
         {s.entry.scan_id},
         {s.entry.image_as_written},
         fmt::format("{:.0f} ml of metal (at or above {:.0f} HU; an implant?): its streaks are "
                     "appearance a model trained or evaluated on this scan meets",
                     s.intensity.metal_ml, kMetalHu)});
  }
  return findings;
}

}  // namespace modir::dataset
