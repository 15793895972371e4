#pragma once

// Private to learn/: an allocation policy for LibTorch's large tensors.

#include <malloc.h>

#include <limits>

namespace modir::learn {

/// While it lives, large blocks come from the heap and stay there when freed. A network on a
/// whole scan allocates and frees tensors of 100 MB and more for every layer; glibc maps each one
/// afresh (its mmap threshold stops growing at 32 MB) and the kernel zeroes its pages every time:
/// a third of a landmark matching's time was page faults. glibc's default policy returns
/// afterwards, and the memory kept is given back.
class KeepLargeBlocks {
 public:
  KeepLargeBlocks() {
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
  }
  ~KeepLargeBlocks() {
    mallopt(M_MMAP_MAX, 65536);             // glibc's default
    mallopt(M_TRIM_THRESHOLD, 128 * 1024);  // glibc's default
    malloc_trim(0);
  }
  KeepLargeBlocks(const KeepLargeBlocks&) = delete;
  KeepLargeBlocks& operator=(const KeepLargeBlocks&) = delete;
};

}  // namespace modir::learn
