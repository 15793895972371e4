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
  double seconds_reading = 0.0;
  double seconds_writing = 0.0;
  double seconds_total = 0.0;
  double estimated_peak_memory_mib = -1.0;  ///< < 0: not estimated, left out
};

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
