// DICOM readers on one file: the slice header, the series scan and its pixels, and the RT
// Structure Set and Deformable Spatial Registration readers, each whatever the object claims to
// be (each must take or refuse any object).

#include "fuzz_input.h"
#include "modir/io/deformable_registration.h"
#include "modir/io/dicom_header.h"
#include "modir/io/dicom_series.h"
#include "modir/io/image_io.h"
#include "modir/io/rtstruct.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool quiet = [] {
    modir::io::detail::quiet_dcmtk_log();
    return true;
  }();
  (void)quiet;
  const modir::fuzz::TempInput input(data, size, ".dcm");
  modir::fuzz::refuse_clearly([&] { (void)modir::io::detail::read_dicom_header(input.path()); });
  modir::fuzz::refuse_clearly([&] { (void)modir::io::scan_dicom(input.path()); });
  modir::fuzz::refuse_clearly([&] { (void)modir::io::read_image(input.path()); });
  modir::fuzz::refuse_clearly([&] { (void)modir::io::read_rtstruct(input.path()); });
  modir::fuzz::refuse_clearly(
      [&] { (void)modir::io::read_deformable_registration(input.path()); });
  return 0;
}
