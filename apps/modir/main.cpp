#include <unistd.h>

#include <cstdlib>

#include "modir/core/interrupt.h"
#include "modir_cli.h"

namespace {

// OpenMP threads that wait at a barrier spin by default. When the machine has other work (a
// second program, a build, a training run), a spinning thread burns the time slice its partner
// needs: a registration measured 63 s that way against 36 s with passive waiting, with the same
// result. libgomp reads the policy once, before main, so the program starts itself again with
// it set. A user who sets OMP_WAIT_POLICY (e.g. ACTIVE on an idle, dedicated machine) is obeyed.
void prefer_passive_openmp_waiting(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  if (setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0) return;
  execv("/proc/self/exe", argv);
  // Not reached unless exec failed (no /proc): carry on with the default policy.
}

}  // namespace

int main(int argc, char** argv) {
  prefer_passive_openmp_waiting(argv);
  modir::handle_interrupts();
  return modir::cli::run(argc, argv);
}
