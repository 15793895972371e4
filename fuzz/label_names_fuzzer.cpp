// Label names files (a label map's .names.json sidecar, or a meta.json with an organ table).

#include "fuzz_input.h"
#include "modir/io/label_names.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const modir::fuzz::TempInput input(data, size, ".json");
  modir::fuzz::refuse_clearly([&] { (void)modir::io::read_label_names(input.path()); });
  return 0;
}
