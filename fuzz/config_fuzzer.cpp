// Registration configuration files (`register --config`): JSON parsing, then every key's checks.

#include "fuzz_input.h"
#include "modir/register/registration_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const modir::fuzz::TempInput input(data, size, ".json");
  modir::fuzz::refuse_clearly([&] {
    const modir::reg::RegistrationConfig config = modir::reg::read_registration_config(input.path());
    modir::reg::validate(config);
    (void)modir::reg::to_json(config);
  });
  return 0;
}
