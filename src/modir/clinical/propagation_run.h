#pragma once

// A whole contour propagation as `modir propagate` and `modir.propagate` run it: the scans and
// the planning structure set read, the daily organs predicted (with their quality control),
// the registration (one, or a Pareto front and a pick rule; optionally with landmarks modir
// matches itself), and every output written into a new folder with its report.json.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "modir/clinical/propagation.h"
#include "modir/core/progress.h"
#include "modir/io/organ_names.h"
#include "modir/landmarks/matcher.h"
#include "modir/register/front_pick.h"
#include "modir/register/registration_config.h"

namespace modir::clinical {

struct PropagationRequest {
  std::string planning;         ///< planning CT: DICOM folder or image file (the moving scan)
  std::string planning_series;  ///< its series UID, when the folder holds several
  std::string daily;            ///< daily CT: DICOM folder or image file (the fixed scan)
  std::string daily_series;
  std::string structures;       ///< the planning RT Structure Set
  std::filesystem::path out;    ///< a new (or empty) folder
  std::filesystem::path model;  ///< segmentation model; empty: the shipped pelvis model
  reg::RegistrationConfig config;
  io::OrganNameTable names = io::default_organ_names();
  bool quality_control = true;  ///< false: every organ the model finds guides
  int pareto = 0;               ///< 0: one registration; N: a front of N and `pick` chooses
  reg::PickRules pick;          ///< default: the front's knee
  bool auto_landmarks = false;  ///< also guide with landmarks matched between the scans
  landmarks::MatchMethod landmark_method = landmarks::MatchMethod::kClassical;
  learn::Device device = learn::Device::kCpu;  ///< segmentation and learned landmarks
  bool verbose = true;          ///< level and pick notes on stderr
  /// Refuse before any work when the estimated peak exceeds this (MiB); unset: the memory
  /// available now.
  std::optional<double> max_memory_mib;
  /// How the caller names that limit in a refusal: "--max-memory" on the command line,
  /// "max_memory" from Python.
  std::string max_memory_name = "--max-memory";
};

/// One propagated structure as the run's summary lists it.
struct PropagatedRow {
  std::string name;
  std::optional<std::string> organ_class;
  bool guided = false;
  double planning_ml = 0.0;
  double daily_ml = 0.0;
};

struct PropagationRun {
  nlohmann::json report;  ///< what DIR/report.json holds
  std::vector<PropagatedRow> rows;
};

/// Runs the propagation and writes DIR: displacement.nii.gz, daily_organs.nii.gz (+ .qc.json),
/// labels.nii.gz and labels.json, pictures/, RS_propagated.dcm (and REG_deformable.dcm across
/// frames of reference) when the daily scan is a DICOM series, front/ with `pareto`, and
/// report.json. Rules that cannot apply, a folder that is not new and a run whose estimated
/// peak memory exceeds the limit are refused before any work; the folder is removed again when the
/// run fails or is interrupted.
PropagationRun run_propagation(const PropagationRequest& request, Progress& progress);

}  // namespace modir::clinical
