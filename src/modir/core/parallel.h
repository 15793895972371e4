#pragma once

#include <cstdint>
#include <exception>
#include <mutex>

namespace modir {

/// Sets how many threads parallel loops use; 0 means all cores. Called once by the command line.
void set_thread_count(int threads);
/// The number of threads parallel loops will use.
int thread_count();

/// Runs body(z) for every z in [0, count), spread over threads with OpenMP (static schedule, so
/// results do not depend on timing). An exception thrown by any iteration is re-thrown here after
/// the loop, because exceptions must not escape an OpenMP region.
template <typename Body>
void parallel_for(std::int64_t count, Body&& body) {
  std::exception_ptr failure;
  std::mutex failure_mutex;
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < count; ++i) {
    try {
      body(i);
    } catch (...) {
      std::lock_guard<std::mutex> lock(failure_mutex);
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
}

/// The usual form: one iteration per z slice of a volume.
template <typename Body>
void parallel_for_slices(std::int64_t slice_count, Body&& body) {
  parallel_for(slice_count, std::forward<Body>(body));
}

}  // namespace modir
