#include "modir/core/memory_limit.h"

#include <fstream>
#include <sstream>

#include "modir/core/error.h"

namespace modir {

double available_memory_mib() {
  std::ifstream meminfo("/proc/meminfo");
  std::string line;
  while (std::getline(meminfo, line)) {
    std::istringstream fields(line);
    std::string key;
    double kib = 0;
    if (fields >> key >> kib && key == "MemAvailable:") return kib / 1024.0;
  }
  return 0.0;
}

double memory_limit_mib(const std::optional<double>& max_memory_mib) {
  return max_memory_mib ? *max_memory_mib : available_memory_mib();
}

void refuse_over_memory_limit(double peak_mib, const std::optional<double>& max_memory_mib,
                              const std::string& what, const std::string& how_to_reduce,
                              const std::string& limit_name) {
  const double limit = memory_limit_mib(max_memory_mib);
  if (limit > 0 && peak_mib > limit) {
    throw data_error("{} needs about {:.0f} MiB and {} {:.0f} MiB; {}", what, peak_mib,
                     max_memory_mib ? limit_name + " allows" : std::string("the machine has"),
                     limit, how_to_reduce);
  }
}

}  // namespace modir
