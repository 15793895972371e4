#include "modir/core/progress.h"

#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

namespace modir {

namespace {

std::string format_duration(double seconds) {
  if (seconds < 60) return fmt::format("{:.1f}s", seconds);
  const int s = static_cast<int>(seconds);
  if (s < 3600) return fmt::format("{}m{:02d}s", s / 60, s % 60);
  return fmt::format("{}h{:02d}m", s / 3600, (s % 3600) / 60);
}

}  // namespace

Progress::Progress(ProgressStyle style, std::FILE* stream) : style_(style), stream_(stream) {
  if (style_ == ProgressStyle::kAuto) {
    style_ = isatty(fileno(stream_)) ? ProgressStyle::kBar : ProgressStyle::kLines;
  }
}

Progress::~Progress() {
  if (in_phase_) end_phase();
}

void Progress::begin_phase(const std::string& name, std::int64_t total_work) {
  std::lock_guard<std::mutex> lock(mutex_);
  phase_ = name;
  total_ = std::max<std::int64_t>(total_work, 1);
  done_ = 0;
  phase_start_ = last_draw_ = Clock::now();
  in_phase_ = true;
}

void Progress::advance(std::int64_t work) {
  done_ += work;
  if (style_ != ProgressStyle::kBar) return;
  const auto now = Clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(200)) return;
  std::unique_lock<std::mutex> lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return;  // another thread is drawing
  last_draw_ = now;
  draw(false);
}

void Progress::end_phase() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!in_phase_) return;
  in_phase_ = false;
  const double elapsed = std::chrono::duration<double>(Clock::now() - phase_start_).count();
  if (style_ == ProgressStyle::kBar) {
    done_ = total_;
    draw(true);
  } else if (style_ == ProgressStyle::kLines) {
    fmt::print(stream_, "modir: {} done in {}\n", phase_, format_duration(elapsed));
    std::fflush(stream_);
  }
}

void Progress::draw(bool final_draw) {
  constexpr int kWidth = 30;
  const double fraction =
      std::clamp(static_cast<double>(done_) / static_cast<double>(total_), 0.0, 1.0);
  const double elapsed = std::chrono::duration<double>(Clock::now() - phase_start_).count();
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(kWidth, '.');
  std::string timing;
  if (final_draw) {
    timing = format_duration(elapsed);
  } else if (fraction > 0.0) {
    timing = "ETA " + format_duration(elapsed * (1.0 - fraction) / fraction);
  }
  fmt::print(stream_, "\r{:<24} [{}] {:3.0f}% {:<12}{}", phase_, bar, fraction * 100.0, timing,
             final_draw ? "\n" : "");
  std::fflush(stream_);
}

}  // namespace modir
