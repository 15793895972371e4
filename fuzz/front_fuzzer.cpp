// Pareto front files (front.json, read by `modir front` and `evaluate --front`), and the
// statistics computed from what was read.

#include "fuzz_input.h"
#include "modir/register/front_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const modir::fuzz::TempInput input(data, size, ".json");
  modir::fuzz::refuse_clearly([&] {
    const auto front = modir::reg::read_front(input.path());
    (void)modir::reg::front_statistics(front);
  });
  return 0;
}
