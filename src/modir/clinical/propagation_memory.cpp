#include "modir/clinical/propagation_memory.h"

#include <algorithm>

#include <fmt/format.h>

#include "modir/clinical/propagation_io.h"
#include "modir/landmarks/matching_memory.h"
#include "modir/learn/predict_memory.h"
#include "modir/learn/segmenter.h"
#include "modir/register/memory_estimate.h"

namespace modir::clinical {

namespace {

// During the registration, what propagate holds besides the registration's own estimate: the
// network module left resident by the prediction (LibTorch's code, its allocator's pages) and
// copies of the scans and the daily organs, in MiB and MiB per million daily voxels. Fitted
// (2026-12-05, 2 threads, peak RSS by /usr/bin/time) on phantom patients in DICOM: the medium
// one (832 MiB measured), with the small one (328 MiB) taken as the bound, and checked on the
// large one (docs/commands.md, propagate, "Memory").
constexpr double kResidentMiB = 165.0;
constexpr double kResidentMiBPerMegavoxel = 18.6;
// After the registration: the field (12 bytes a daily voxel) joins what stays resident.
constexpr double kFieldBytesPerVoxel = 12.0;

double megabytes(double voxels, double bytes_per_voxel) {
  return voxels * bytes_per_voxel / (1 << 20);
}

}  // namespace

PropagationMemoryEstimate estimate_propagation_memory(const Geometry& daily,
                                                      const Geometry& planning, int structures,
                                                      const PropagationRequest& o,
                                                      const learn::SegmentationPlan& plan) {
  PropagationMemoryEstimate e;
  e.structures = structures;
  e.prediction_mib = learn::estimate_predict_memory(daily, plan, o.quality_control,
                                                    learn::PredictOptions{}.body_from_ct)
                         .peak_mib;
  const int organs = std::max(0, static_cast<int>(plan.classes.size()) - 1);
  const reg::MemoryEstimate registration =
      reg::estimate_registration_memory(daily, o.config, organs, o.pareto);
  e.registration_mib = registration.peak_mib;
  if (o.auto_landmarks)
    e.registration_mib =
        std::max(e.registration_mib, landmarks::estimate_matching_memory_mib(
                                         daily, planning, landmarks::MatchOptions{}.spacing_mm,
                                         o.landmark_method == landmarks::MatchMethod::kLearned));
  // The planning masks are held from the start; each warped fraction from the registration's
  // end, when the registration's own memory is free again.
  const double masks = structures * megabytes(double(planning.voxel_count()), 1.0);
  const double fractions = structures * megabytes(double(daily.voxel_count()), 1.0);
  e.structures_mib = masks + fractions;
  const double resident =
      kResidentMiB + kResidentMiBPerMegavoxel * double(daily.voxel_count()) / 1e6;
  const double prediction_phase = e.prediction_mib + masks;
  const double registration_phase = e.registration_mib + resident + masks;
  const double warping_phase =
      resident + megabytes(double(daily.voxel_count()), kFieldBytesPerVoxel) + masks + fractions;
  e.peak_mib = std::max({prediction_phase, registration_phase, warping_phase});
  if (e.structures_mib > std::max(e.prediction_mib, e.registration_mib)) {
    e.how_to_reduce = fmt::format(
        "the {} structures take about {:.0f} MiB: propagate a structure set with only those "
        "needed",
        structures, e.structures_mib);
  } else if (registration_phase >= prediction_phase) {
    e.how_to_reduce = registration.how_to_reduce;
  } else {
    e.how_to_reduce = o.quality_control
                          ? "--no-qc saves the quality control's three extra predictions"
                          : "crop the daily scan to the region of interest";
  }
  return e;
}

PropagationMemoryEstimate estimate_propagation_memory(const PropagationRequest& o) {
  return estimate_propagation_memory(o, io::read_rtstruct(o.structures));
}

PropagationMemoryEstimate estimate_propagation_memory(const PropagationRequest& o,
                                                      const io::RtStructureSet& set) {
  const Geometry planning =
      scan_geometry(o.planning, o.planning_series, "--planning-series", set.referenced_series_uid);
  const Geometry daily = scan_geometry(o.daily, o.daily_series, "--daily-series");
  const std::filesystem::path model = o.model.empty() ? learn::shipped_model("pelvis") : o.model;
  return estimate_propagation_memory(daily, planning, static_cast<int>(set.structures.size()), o,
                                     learn::read_plan(model));
}

}  // namespace modir::clinical
