#pragma once

namespace modir {

/// While one lives, large blocks come from the heap and stay there when freed; when the last one
/// goes, glibc's default policy returns and the memory kept is given back (malloc_trim).
///
/// Why: modir's work allocates and frees images of 10-100 MB many times over (a registration's
/// every evaluation, a network's every layer). glibc maps each such block afresh (its mmap
/// threshold stops growing at 32 MB) and the kernel zeroes its pages on every first touch. On a
/// medium guided registration that was a fifth of the wall time (12.9 s against 10.4 s), at the
/// same peak memory. Guards nest and may live on several threads at once; mallopt's settings are
/// process-wide. Each binary holds its own count (libmodir_torch.so has private copies of modir's
/// static libraries), so guards sit on the callers' side of the network module.
class KeepLargeBlocks {
 public:
  KeepLargeBlocks();
  ~KeepLargeBlocks();
  KeepLargeBlocks(const KeepLargeBlocks&) = delete;
  KeepLargeBlocks& operator=(const KeepLargeBlocks&) = delete;
};

}  // namespace modir
