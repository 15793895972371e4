#pragma once

// The one rule every estimate of peak memory is held to, from the command line and from Python:
// the limit is the caller's (--max-memory, max_memory=) or else the memory the system can give
// now; work whose estimate exceeds it is refused before it starts, saying how to make it fit.

#include <optional>
#include <string>

namespace modir {

/// Memory the system can give now (MemAvailable of /proc/meminfo), in MiB; 0 when unknown.
double available_memory_mib();

/// The limit an estimate is compared with: `max_memory_mib` when given, else
/// available_memory_mib() (0: unknown, nothing is refused).
double memory_limit_mib(const std::optional<double>& max_memory_mib);

/// Throws a data error when `peak_mib` exceeds the limit: "`what` needs about N MiB and
/// `limit_name` allows (or: the machine has) M MiB; `how_to_reduce`".
void refuse_over_memory_limit(double peak_mib, const std::optional<double>& max_memory_mib,
                              const std::string& what, const std::string& how_to_reduce,
                              const std::string& limit_name = "--max-memory");

}  // namespace modir
