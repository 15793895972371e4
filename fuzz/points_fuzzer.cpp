// Point files (`--fixed-landmarks` and friends), in the format named by the extension this target
// is built with (MODIR_FUZZ_EXTENSION: .csv, .txt for elastix, .mrk.json for 3D Slicer).

#include "fuzz_input.h"
#include "modir/io/point_io.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const modir::fuzz::TempInput input(data, size, MODIR_FUZZ_EXTENSION);
  modir::fuzz::refuse_clearly([&] { (void)modir::io::read_points(input.path()); });
  return 0;
}
