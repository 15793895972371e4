#include "modir/core/large_blocks.h"

#include <malloc.h>

#include <limits>
#include <mutex>

namespace modir {

namespace {

std::mutex holders_mutex;
int holders = 0;

}  // namespace

KeepLargeBlocks::KeepLargeBlocks() {
  const std::lock_guard lock(holders_mutex);
  if (holders++ > 0) return;
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
}

KeepLargeBlocks::~KeepLargeBlocks() {
  const std::lock_guard lock(holders_mutex);
  if (--holders > 0) return;
  mallopt(M_MMAP_MAX, 65536);             // glibc's default
  mallopt(M_TRIM_THRESHOLD, 128 * 1024);  // glibc's default
  malloc_trim(0);
}

}  // namespace modir
