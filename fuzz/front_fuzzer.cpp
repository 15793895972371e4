// Pareto front files (front.json, read by `modir front` and `evaluate --front`), and the
// statistics computed from what was read.

#include "front_file.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const modir::fuzz::TempInput input(data, size, ".json");
  modir::fuzz::refuse_clearly([&] {
    const auto front = modir::cli::read_front(input.path());
    (void)modir::cli::front_statistics(front);
  });
  return 0;
}
