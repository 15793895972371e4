#pragma once

#include <filesystem>

#include "modir/core/interrupt.h"

namespace modir::io {

/// A command's output folder, held for the whole run. It is created when missing, and removed
/// again if the run is interrupted before finish(). While held, a lock (flock on DIR/.modir-lock)
/// makes a second run that wants to write into the same folder refuse at once, instead of the
/// two interleaving their files.
///
/// A folder that existed before the run: with `staged`, the run writes into write_path(), a
/// hidden folder inside it, and finish() moves each entry written there into place (replacing a
/// same-named one), so that an interrupt or an error before finish() leaves the folder exactly as
/// it was. Without `staged` its files are each written atomically, but a run stopped half-way
/// leaves some old files beside some new ones.
class OutputFolder {
 public:
  explicit OutputFolder(const std::filesystem::path& folder, bool staged = false);
  ~OutputFolder();
  OutputFolder(const OutputFolder&) = delete;
  OutputFolder& operator=(const OutputFolder&) = delete;

  /// The run has written everything: staged entries move into place, and the folder stays even
  /// if a signal comes now.
  void finish();
  const std::filesystem::path& path() const { return folder_; }
  /// Where the run writes its outputs: the folder itself, or its staging folder.
  const std::filesystem::path& write_path() const { return write_path_; }

 private:
  std::filesystem::path folder_, write_path_;
  int lock_fd_ = -1;
  bool created_ = false;
  bool finished_ = false;
  UnfinishedOutput unfinished_;  // only when this run created the folder
  UnfinishedOutput staging_;     // the staging folder, while it holds this run's outputs
  UnfinishedOutput lock_file_;   // the lock file, when this run made it in an existing folder
};

}  // namespace modir::io
