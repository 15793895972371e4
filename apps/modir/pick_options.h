#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "modir/register/front_pick.h"

namespace modir::cli {

/// Adds the rule options (--knee, --minimise, --max-*) to `command`, writing into `rules`, under
/// the help heading `group`: `modir front pick` and `modir propagate --pareto` state rules alike.
void add_pick_options(CLI::App& command, reg::PickRules& rules, const std::string& group);

}  // namespace modir::cli
