#pragma once

#include <algorithm>
#include <cstdint>
#include <exception>
#include <mutex>

namespace modir {

/// Sets how many threads parallel loops use; 0 means all cores. Called once by the command line.
void set_thread_count(int threads);
/// The number of threads parallel loops will use.
int thread_count();

/// Runs body(z) for every z in [0, count), spread over threads with OpenMP. The schedule is
/// dynamic: a thread that the operating system pauses (other work on the machine, a hyperthread
/// sibling) does not hold the others spinning at the barrier. Bodies never depend on which thread
/// runs them, so results do not depend on timing either. An exception thrown by any iteration is
/// re-thrown here after the loop, because exceptions must not escape an OpenMP region.
template <typename Body>
void parallel_for(std::int64_t count, Body&& body) {
  std::exception_ptr failure;
  std::mutex failure_mutex;
  // Chunks of ~1/8 of a thread's share: few enough that per-voxel loops pay no scheduling cost,
  // many enough that a paused thread's work is taken over.
  const std::int64_t chunk = std::max<std::int64_t>(1, count / (8 * std::int64_t{thread_count()}));
#pragma omp parallel for schedule(dynamic, chunk)
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
