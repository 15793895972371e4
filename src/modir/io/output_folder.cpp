#include "modir/io/output_folder.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>

#include "modir/core/error.h"

namespace modir::io {

namespace fs = std::filesystem;

OutputFolder::OutputFolder(const fs::path& folder, bool staged) : folder_(folder) {
  std::error_code ec;
  if (fs::exists(folder_, ec) && !fs::is_directory(folder_, ec))
    throw usage_error("--out '{}' is a file; give a folder", folder_.string());
  const bool created = !fs::exists(folder_, ec);
  if (created) {
    fs::create_directories(folder_, ec);
    if (ec) throw data_error("cannot create the output folder '{}': {}", folder_.string(), ec.message());
    unfinished_ = UnfinishedOutput(folder_);
    created_ = true;
  }
  const fs::path lock = folder_ / ".modir-lock";
  const bool lock_existed = fs::exists(lock, ec);
  lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) throw data_error("cannot write into the output folder '{}'", folder_.string());
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
    unfinished_.release();  // the folder is the other run's
    created_ = false;
    throw usage_error("another modir run is writing into '{}'; wait for it or choose another "
                      "--out",
                      folder_.string());
  }
  if (!created && !lock_existed) lock_file_ = UnfinishedOutput(lock);
  write_path_ = folder_;
  if (staged && !created) {
    write_path_ = folder_ / fmt::format(".modir-staging-{}", ::getpid());
    fs::remove_all(write_path_, ec);  // left by a run of the same id that was killed
    fs::create_directory(write_path_, ec);
    if (ec)
      throw data_error("cannot write into the output folder '{}': {}", folder_.string(),
                       ec.message());
    staging_ = UnfinishedOutput(write_path_);
  }
}

OutputFolder::~OutputFolder() {
  std::error_code ec;
  // Left by an error (bad data found late): staged outputs go, and the folder is as before.
  if (!finished_ && write_path_ != folder_) fs::remove_all(write_path_, ec);
  if (lock_fd_ >= 0) {
    fs::remove(folder_ / ".modir-lock", ec);
    ::close(lock_fd_);
  }
  // In a folder this run created: an empty folder goes; one with outputs stays, since each of
  // its files is complete.
  if (created_ && fs::is_empty(folder_, ec) && !ec) fs::remove(folder_, ec);
}

void OutputFolder::finish() {
  if (write_path_ != folder_) {
    // Renames within one folder: each entry replaces its old namesake at once. A signal during
    // this loop (milliseconds) is the one moment that can leave old and new side by side.
    for (const auto& entry : fs::directory_iterator(write_path_)) {
      const fs::path target = folder_ / entry.path().filename();
      std::error_code ec;
      if (fs::is_directory(target, ec) && !fs::is_symlink(target, ec)) fs::remove_all(target, ec);
      fs::rename(entry.path(), target);
    }
    std::error_code ec;
    fs::remove(write_path_, ec);
    staging_.release();
  }
  finished_ = true;
  unfinished_.release();
  created_ = false;
}

}  // namespace modir::io
