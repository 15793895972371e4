#pragma once

// report.json of a registration, assembled once for every caller (the command line and the
// Python package): what ran, on what, with which config, and how it went.

#include <string>

#include <nlohmann/json.hpp>

#include "modir/register/front_outputs.h"
#include "modir/register/pareto_front.h"
#include "modir/register/registration.h"
#include "modir/transform/jacobian.h"

namespace modir::reg {

/// What the caller knows about a run beyond its result: where the inputs came from and the
/// steps before the registration.
struct RunContext {
  std::string command = "register";
  nlohmann::json inputs = nlohmann::json::object();  ///< describe_inputs(paths), or in-memory
  nlohmann::json label_pairing = nullptr;            ///< labels paired by name (input_files.h)
  nlohmann::json auto_landmarks = nullptr;           ///< landmarks::add_auto_landmarks' report
  nlohmann::json label_qc = nullptr;                 ///< clinical::apply_label_qc's report
  nlohmann::json fiducial_markers = nullptr;         ///< fiducial_marker_report(...)
  double seconds_reading = 0.0;
  double seconds_writing = 0.0;
  double seconds_total = 0.0;
  double estimated_peak_memory_mib = -1.0;  ///< < 0: not estimated, left out
};

/// The gold fiducial markers of both scans carried by the result's field (on the fixed grid;
/// evaluate/fiducial_markers.h): null when the scans are not CTs in HU or neither holds one;
/// otherwise what was found, paired and how far each carried marker lands from its partner.
/// Warns when a pair is off by more than 3 mm or a marker found no partner.
nlohmann::json fiducial_marker_report(const Image<float>& fixed, const Image<float>& moving,
                                      const DisplacementField& displacement);

/// The report of a single registration. Warns (stderr) about guidance islands left out, a small
/// overlap of the scans and a rigidity penalty that was switched off, as report.json records them.
nlohmann::json registration_report(const RegistrationResult& result,
                                   const RegistrationInputs& inputs,
                                   const RegistrationConfig& config,
                                   const transform::JacobianStatistics& jacobian,
                                   const RunContext& context);

/// The report of a front (`register --pareto`): the shared base run, and the front's summary.
nlohmann::json front_report(const ParetoFront& front, const FrontSummary& summary,
                            const RegistrationInputs& inputs, const RegistrationConfig& config,
                            const RunContext& context);

}  // namespace modir::reg
