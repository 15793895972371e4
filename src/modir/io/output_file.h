#pragma once

#include <filesystem>
#include <initializer_list>
#include <string>

#include "modir/core/interrupt.h"

namespace modir::io {

/// Makes a written output appear all at once or not at all. The writer writes to temp_path(), a
/// file of the same name inside a private temporary folder next to the destination (so formats
/// with a separate data file, .mhd + .raw or .nhdr + .raw.gz, keep consistent names); commit()
/// then renames every file written there into the destination folder, the named file last.
/// Without commit() (an exception on the way), the destructor removes the temporary folder and
/// the destination is left untouched. `temp_name` replaces the file name inside the temporary
/// folder for writers that mangle unusual names (the NIfTI library turns "a.nii.gz.nii.gz" into
/// "a.nii.gz"); the file still lands under the destination's name.
class AtomicOutput {
 public:
  explicit AtomicOutput(const std::filesystem::path& destination,
                        const std::string& temp_name = {});
  ~AtomicOutput();
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  const std::filesystem::path& temp_path() const { return temp_path_; }
  void commit();

 private:
  std::filesystem::path destination_;
  std::filesystem::path temp_dir_;
  std::filesystem::path temp_path_;
  UnfinishedOutput unfinished_;  // the temporary folder, removed on Ctrl-C
  bool committed_ = false;
};

/// Writes text to a file atomically.
void write_text_file(const std::filesystem::path& path, const std::string& text);

/// Throws a usage error when `output` names the same file as one of `inputs`: modir never
/// overwrites its inputs.
void refuse_overwriting_inputs(const std::filesystem::path& output,
                               std::initializer_list<std::filesystem::path> inputs);

}  // namespace modir::io
