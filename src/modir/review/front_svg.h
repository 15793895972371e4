#pragma once

// A front in the static report: every pair of objectives as an inline SVG plot and the
// solutions as a table.

#include <string>

#include "modir/review/review_folder.h"

namespace modir::review {

/// The report's "front" section for a folder with a front: one SVG panel per pair of objectives
/// (blue non-dominated, grey dominated, red rim folded, dotted ring the knee, green ring the
/// choice recorded in choice.json) and a table of every solution's objectives, folding and, when
/// the front was scored against the truth, its TRE and mean Dice.
std::string front_section(const ReviewFolder& folder);

}  // namespace modir::review
