#include "memory_limit.h"

#include <fmt/format.h>

#include "modir/core/error.h"
#include "modir/core/memory_limit.h"

namespace modir::cli {

void check_memory_limit(double peak_mib, const std::optional<double>& max_memory_mib, bool dry_run,
                        const std::string& what, const std::string& details,
                        const std::string& how_to_reduce) {
  const double limit = memory_limit_mib(max_memory_mib);
  if (dry_run) {
    fmt::print("estimated peak memory: {:.0f} MiB ({}); {}\n", peak_mib, details,
               limit > 0 ? fmt::format("limit {:.0f} MiB ({})", limit,
                                       max_memory_mib ? "--max-memory" : "available now")
                         : std::string("available memory unknown"));
  }
  refuse_over_memory_limit(peak_mib, max_memory_mib, what, how_to_reduce);
}

void add_memory_options(CLI::App& command, bool& dry_run, std::optional<double>& max_memory_mib,
                        const std::string& what) {
  command.add_flag("--dry-run", dry_run,
                   "print " + what + " and whether it fits, then stop (writes nothing)");
  command
      .add_option("--max-memory", max_memory_mib,
                  "refuse to start when the estimated peak exceeds this many MiB (default: the "
                  "memory available now)")
      ->check(CLI::PositiveNumber);
}

}  // namespace modir::cli
