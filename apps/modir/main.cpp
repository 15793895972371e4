#include <cstdlib>

#include "modir/core/interrupt.h"
#include "modir_cli.h"

namespace {

// OpenMP threads that wait at a barrier spin by default. When the machine has other work (a
// second program, a build, a training run), a spinning thread burns the time slice its partner
// needs: a registration measured 63 s that way against 36 s with passive waiting, with the same
// result. libgomp reads the policy once, in its own initialiser, before main. A function in the
// program's .preinit_array runs before any shared library's initialiser (the ELF rules for the
// main executable), so setting the variable there reaches libgomp without starting the program a
// second time. A user who sets OMP_WAIT_POLICY (e.g. ACTIVE on an idle, dedicated machine) is
// obeyed: setenv does not overwrite.
void prefer_passive_openmp_waiting(int, char**, char**) {
  setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/0);
}

}  // namespace

// The ELF loader calls the functions this array section points to, before main.
using PreinitFunction = void (*)(int, char**, char**);
__attribute__((section(".preinit_array"), used)) static const PreinitFunction kPreinit =
    &prefer_passive_openmp_waiting;

int main(int argc, char** argv) {
  modir::handle_interrupts();
  return modir::cli::run(argc, argv);
}
