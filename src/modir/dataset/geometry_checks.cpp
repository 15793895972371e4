#include "modir/dataset/geometry_checks.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace modir::dataset {

namespace {

double median_of(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

// The upper quartile: truncation only ever shortens a scan, so the full length is the one the
// longer scans share, and it stays right while up to three quarters of the scans are cut.
double upper_quartile(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  return v[(3 * (v.size() - 1) + 3) / 4];
}

std::string describe(const Geometry& g) {
  return fmt::format("{}x{}x{} voxels of {:.3g}x{:.3g}x{:.3g} mm at ({:.1f}, {:.1f}, {:.1f}) {}",
                     g.size[0], g.size[1], g.size[2], g.spacing.x, g.spacing.y, g.spacing.z,
                     g.origin.x, g.origin.y, g.origin.z, g.orientation_toward());
}

Finding image_finding(const ScanSummary& s, const std::string& kind, Severity severity,
                      std::string message) {
  return {kind,
          severity,
          {s.entry.patient_id},
          {s.entry.scan_id},
          {s.entry.image_as_written},
          std::move(message)};
}

constexpr const char* kAxisNames[3] = {"left-right", "anterior-posterior", "superior-inferior"};

}  // namespace

std::vector<Finding> geometry_findings(const std::vector<ScanSummary>& scans) {
  std::vector<Finding> findings;
  std::vector<double> spacing[3], extent[3], side;
  std::map<std::string, int> orientations;
  for (const ScanSummary& s : scans) {
    if (!s.usable()) continue;
    for (int a = 0; a < 3; ++a) {
      spacing[a].push_back(s.geometry.spacing[a]);
      extent[a].push_back(s.world_max[a] - s.world_min[a]);
    }
    side.push_back(s.side_body_fraction);
    ++orientations[s.geometry.orientation_toward()];
  }
  const auto usual_orientation =
      std::max_element(orientations.begin(), orientations.end(),
                       [](const auto& a, const auto& b) { return a.second < b.second; });
  double median_spacing[3], usual_extent[3];
  for (int a = 0; a < 3; ++a) {
    median_spacing[a] = median_of(spacing[a]);
    usual_extent[a] = upper_quartile(extent[a]);
  }
  const double median_side = median_of(side);

  for (const ScanSummary& s : scans) {
    if (!s.usable()) continue;
    const Geometry& g = s.geometry;
    if (s.labels_error.empty() && s.label_geometry && !s.label_geometry->same_grid(g)) {
      Finding f =
          image_finding(s, "label_grid", Severity::kError,
                        fmt::format("the label map is on another grid than its image: {} vs {}",
                                    describe(*s.label_geometry), describe(g)));
      f.files.push_back(s.entry.labels_as_written);
      findings.push_back(std::move(f));
    }
    for (int a = 0; a < 3; ++a) {
      if (std::abs(g.spacing[a] - median_spacing[a]) > 0.25 * median_spacing[a]) {
        findings.push_back(image_finding(
            s, "spacing_outlier", Severity::kWarning,
            fmt::format("voxel spacing {:.3g} x {:.3g} x {:.3g} mm; most scans have {:.3g} mm "
                        "along axis {}",
                        g.spacing.x, g.spacing.y, g.spacing.z, median_spacing[a], a)));
        break;
      }
    }
    if (orientations.size() > 1 && g.orientation_toward() != usual_orientation->first) {
      findings.push_back(image_finding(
          s, "orientation_outlier", Severity::kWarning,
          fmt::format("axes point {} where {} of {} scans are {}", g.orientation_toward(),
                      usual_orientation->second, side.size(), usual_orientation->first)));
    }
    std::string cut;
    for (int a = 0; a < 3; ++a) {
      const double e = s.world_max[a] - s.world_min[a];
      if (e < 0.85 * usual_extent[a])
        cut += fmt::format(
            "{}{} extent {:.0f} mm where the cohort's usual (upper quartile) is "
            "{:.0f} mm",
            cut.empty() ? "" : "; ", kAxisNames[a], e, usual_extent[a]);
    }
    if (s.side_body_fraction > std::max(0.1, median_side + 0.15))
      cut +=
          fmt::format("{}the body touches {:.0f}% of the side faces (cohort median {:.0f}%)",
                      cut.empty() ? "" : "; ", 100.0 * s.side_body_fraction, 100.0 * median_side);
    if (!cut.empty())
      findings.push_back(
          image_finding(s, "truncated_fov", Severity::kWarning, "truncated field of view: " + cut));
  }
  return findings;
}

}  // namespace modir::dataset
