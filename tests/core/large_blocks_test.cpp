#include "modir/core/large_blocks.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdlib>
#include <cstring>

namespace modir {
namespace {

constexpr std::size_t kBlock = 64u << 20;  // above glibc's largest mmap threshold (32 MB)

// Allocates and touches a large block, returns the bytes glibc had mapped for it while it lived,
// and frees it.
std::size_t mapped_while_held() {
  void* block = std::malloc(kBlock);
  std::memset(block, 1, kBlock);
  asm volatile("" : : "r"(block) : "memory");  // the block must exist: no allocation elided
  const std::size_t mapped = mallinfo2().hblkhd;
  std::free(block);
  return mapped;
}

// With a guard a large block comes from the heap and, freed, stays there for the next one; nested
// guards keep the policy until the outer one goes, which gives the memory back.
TEST(KeepLargeBlocks, KeepsFreedBlocksOnTheHeapUntilTheLastGuardGoes) {
  EXPECT_GE(mapped_while_held(), kBlock);  // glibc's default: mapped, and unmapped when freed
  {
    const KeepLargeBlocks outer;
    { const KeepLargeBlocks inner; }
    EXPECT_LT(mapped_while_held(), kBlock);
    EXPECT_GE(mallinfo2().fordblks, kBlock);  // freed, kept for reuse
  }
  EXPECT_LT(mallinfo2().fordblks, kBlock);  // given back
  EXPECT_GE(mapped_while_held(), kBlock);
}

}  // namespace
}  // namespace modir
