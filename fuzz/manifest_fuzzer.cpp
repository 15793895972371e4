// Dataset manifests (`modir dataset check`), without looking for the files they name.

#include "fuzz_input.h"
#include "modir/dataset/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const modir::fuzz::TempInput input(data, size, ".csv");
  modir::fuzz::refuse_clearly(
      [&] { (void)modir::dataset::read_manifest(input.path(), /*check_files=*/false); });
  return 0;
}
