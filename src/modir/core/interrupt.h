#pragma once

// Ctrl-C and SIGTERM end a command cleanly: what it was still writing is removed, and the exit
// status says how it ended (130 for SIGINT, 143 for SIGTERM, as shells report them).

#include <filesystem>

namespace modir {

/// Blocks SIGINT and SIGTERM in the calling thread (and so in every thread started after it:
/// OpenMP's, LibTorch's) and starts a thread that waits for them. On one, that thread removes
/// every path registered as unfinished output, prints "modir: interrupted", and ends the process
/// with 128 + the signal number. Call first in main, before any other thread exists.
void handle_interrupts();

/// A file or folder that is unfinished output while this object lives: removed (recursively) if
/// the process is interrupted meanwhile. release() (or destruction) unregisters it.
class UnfinishedOutput {
 public:
  UnfinishedOutput() = default;
  explicit UnfinishedOutput(std::filesystem::path path);
  ~UnfinishedOutput();
  UnfinishedOutput(UnfinishedOutput&& other) noexcept;
  UnfinishedOutput& operator=(UnfinishedOutput&& other) noexcept;
  UnfinishedOutput(const UnfinishedOutput&) = delete;
  UnfinishedOutput& operator=(const UnfinishedOutput&) = delete;

  void release();

 private:
  long id_ = 0;  // 0: nothing registered
};

/// The paths registered now, for tests.
std::size_t unfinished_output_count();

}  // namespace modir
