#pragma once

// Rebuilding one solution of a front: its transform read back, the inputs checked to be the
// bytes the front was computed from, and the full outputs written as `modir register` writes them
// (for a front of `modir propagate`, also the solution's propagated RT Structure Set).

#include <cstddef>
#include <filesystem>

#include "modir/register/front_file.h"
#include "modir/register/registration.h"

namespace modir::clinical {

/// Solution `index`'s transform (solutions/solution_KK.json), as a registration result.
reg::RegistrationResult read_solution_transform(const reg::Front& front, std::size_t index);

/// Writes the full outputs of solution `index` into the new folder `out`: displacement, warped
/// scan and labels, Jacobian, transform and report.json; when the front lies in a `modir
/// propagate` folder whose daily scan is a DICOM series, also RS_propagated.dcm, the planning
/// structures carried by this solution. A data error when an input changed since the front.
/// `announce`: print what was written (not from `modir review`, whose output is its address).
void export_solution(const reg::Front& front, std::size_t index, const std::filesystem::path& out,
                     bool announce = true);

}  // namespace modir::clinical
