// Image readers: the header (read_image_info, as `modir info` does) and the voxels (read_image,
// as every command does), for the format named by the extension this target is built with
// (MODIR_FUZZ_EXTENSION: .nii, .mha, .nrrd, .npy, .npz).

#include "fuzz_input.h"
#include "modir/io/image_io.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const modir::fuzz::TempInput input(data, size, MODIR_FUZZ_EXTENSION);
  modir::fuzz::refuse_clearly([&] { (void)modir::io::read_image_info(input.path()); });
  modir::fuzz::refuse_clearly([&] { (void)modir::io::read_image(input.path()); });
  return 0;
}
