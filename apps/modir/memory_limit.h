#pragma once

// The one rule every command that estimates its memory follows: the limit is --max-memory, else
// the memory available now; with --dry-run the estimate is printed; a run over the limit is
// refused before it starts, saying how to make it fit.

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace modir::cli {

/// `what` names the work ("this registration"), `details` what the estimate depends on (printed
/// in brackets with --dry-run), `how_to_reduce` ends the error. Throws a data error over the limit.
void check_memory_limit(double peak_mib, const std::optional<double>& max_memory_mib, bool dry_run,
                        const std::string& what, const std::string& details,
                        const std::string& how_to_reduce);

/// Adds --dry-run (print the estimate, then stop) and --max-memory MiB to `command`; `what` says
/// what the estimate is of ("the estimated peak memory", "the pair's estimated peak memory").
void add_memory_options(CLI::App& command, bool& dry_run, std::optional<double>& max_memory_mib,
                        const std::string& what = "the estimated peak memory");

}  // namespace modir::cli
