#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>

namespace modir {

/// How progress is shown on stderr.
enum class ProgressStyle {
  kAuto,   ///< a live bar when stderr is a terminal, otherwise one line per phase
  kBar,    ///< always a live bar with percentage and ETA
  kLines,  ///< one line when each phase ends (logs, CI)
  kQuiet,  ///< nothing
};

/// Reports long steps as phases ("reading", "level 2/3") with a known amount of work each.
/// advance() may be called from worker threads; drawing is throttled to a few times a second.
class Progress {
 public:
  explicit Progress(ProgressStyle style = ProgressStyle::kAuto, std::FILE* stream = stderr);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void begin_phase(const std::string& name, std::int64_t total_work);
  void advance(std::int64_t work = 1);
  /// Ends the current phase; prints its duration in line mode.
  void end_phase();
  bool is_quiet() const { return style_ == ProgressStyle::kQuiet; }

 private:
  using Clock = std::chrono::steady_clock;
  void draw(bool final_draw);

  ProgressStyle style_;
  std::FILE* stream_;
  std::mutex mutex_;
  std::string phase_;
  std::int64_t total_ = 0;
  std::atomic<std::int64_t> done_{0};
  Clock::time_point phase_start_;
  Clock::time_point last_draw_;
  bool in_phase_ = false;
};

}  // namespace modir
