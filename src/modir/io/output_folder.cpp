#include "modir/io/output_folder.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "modir/core/error.h"

namespace modir::io {

namespace fs = std::filesystem;

OutputFolder::OutputFolder(const fs::path& folder) : folder_(folder) {
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
}

OutputFolder::~OutputFolder() {
  if (lock_fd_ >= 0) {
    std::error_code ec;
    fs::remove(folder_ / ".modir-lock", ec);
    ::close(lock_fd_);
  }
  // Left by an error (bad data found late) in a folder this run created: an empty folder goes;
  // one with outputs stays, since each of its files is complete.
  std::error_code ec;
  if (created_ && fs::is_empty(folder_, ec) && !ec) fs::remove(folder_, ec);
}

void OutputFolder::finish() {
  unfinished_.release();
  created_ = false;
}

}  // namespace modir::io
