#pragma once

#include <filesystem>

#include "modir/core/interrupt.h"

namespace modir::io {

/// A command's output folder, held for the whole run. It is created when missing, and removed
/// again if the run is interrupted before finish() (a folder that existed before is left, and
/// its files are each written atomically). While held, a lock (flock on DIR/.modir-lock) makes a
/// second run that wants to write into the same folder refuse at once, instead of the two
/// interleaving their files.
class OutputFolder {
 public:
  explicit OutputFolder(const std::filesystem::path& folder);
  ~OutputFolder();
  OutputFolder(const OutputFolder&) = delete;
  OutputFolder& operator=(const OutputFolder&) = delete;

  /// The run has written everything: the folder stays even if a signal comes now.
  void finish();
  const std::filesystem::path& path() const { return folder_; }

 private:
  std::filesystem::path folder_;
  int lock_fd_ = -1;
  bool created_ = false;
  UnfinishedOutput unfinished_;  // only when this run created the folder
};

}  // namespace modir::io
