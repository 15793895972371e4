#pragma once

#include <cstdint>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "modir/core/progress.h"
#include "modir/phantom/phantom_options.h"

namespace modir::phantom {

/// A collection of synthetic patients with the troubles of real clinical data, each recorded in
/// truth.json so that a data checker can be scored against it. Fractions are per scan (or per
/// patient for the label convention), drawn from the seed.
struct CohortOptions {
  std::uint64_t seed = 1;
  int patients = 10;
  PhantomSize size = PhantomSize::kSmall;
  double label_noise = 0.2;        ///< scans whose labels have boundary jitter of a few mm
  double missing_structure = 0.1;  ///< scans whose label map lacks one structure
  double merged_labels = 0.15;     ///< patients labelled with another convention (merged labels)
  double other_scanner = 0.2;      ///< scans from "another scanner": more noise, an HU offset
  double truncated = 0.15;         ///< scans with a truncated field of view
  bool couch = false;  ///< every scan shows a patient couch (phantom/couch.h), drawn per scan
  /// Patients with one or both hips replaced (phantom/hip_prosthesis.h), in every scan of theirs,
  /// with the streaks of each scan; recorded under "hip_replacements" in truth.json.
  double hip_replacements = 0.0;
  /// Scans with the arms down (phantom/arms.h): each such scan lays forearms of its own beside
  /// the patient, as a patient lies differently each day; recorded under "arms_down" in
  /// truth.json. Only the large size's field of view reaches them.
  double arms_down = 0.0;
  /// Patients with calcifications (phantom/calcifications.h: phleboliths, arterial plaques,
  /// prostatic foci), the same in every scan of theirs; recorded under "calcified" in truth.json.
  double calcified = 0.0;
  /// Patients given gold fiducial markers (phantom/fiducial_markers.h; men only, so about half of
  /// them get any), in every scan of theirs with their streaks; recorded under "markers".
  double marked = 0.0;
  int duplicates =
      -1;  ///< scans filed again under another patient id; -1: patients / 10, at least 1
};

/// Peak memory of write_cohort in MiB. Scans are rendered one at a time, so the peak is one
/// scan's, whatever the number of patients: the program, then per 2^20 voxels of the size's
/// scan grid its HU, labels, the unused ground-truth field and the writer's copies.
double estimate_cohort_memory_mib(PhantomSize size);

/// Generates the cohort into `folder`: one folder per patient with 2-4 scans (image and labels,
/// NIfTI), manifest.csv (patient_id, scan_id, image, labels; paths relative to `folder`) and
/// truth.json (every trouble introduced, by patient and scan). Returns the truth.
nlohmann::json write_cohort(const CohortOptions& options, const std::filesystem::path& folder,
                            Progress& progress);

}  // namespace modir::phantom
