#include <cstdlib>
#include <string_view>

#include "modir/core/interrupt.h"
#include "modir_cli.h"

#include <unistd.h>

namespace {

// OpenMP threads that wait at a barrier spin by default (libgomp: 300 000 spins). When the
// machine has other work (a second modir, a build, CTest's second job, a Snakemake rule beside
// this one) a spinning thread burns the time slice its partner needs: two guided registrations
// side by side on 2 cores took 17.4 s each with spinning and 5-6 s with passive waiting, alone they
// take 3.3-4.6 s either way (2026-12-05). libgomp reads its policy once, in its initialiser, which
// has run before main; setting the variable from .preinit_array does not reach it either (tried:
// libgomp still reported 300 000 spins). So the program starts itself once more with the
// variable set, which costs one program start (about 0.05 s). A user who sets OMP_WAIT_POLICY or
// GOMP_SPINCOUNT (e.g. ACTIVE on an idle, dedicated machine) is obeyed and nothing is restarted.
void restart_with_passive_openmp_waiting(int argc, char** argv) {
  // Commands that run no parallel work are not worth a second start.
  const std::string_view command = argc > 1 ? argv[1] : "";
  for (const std::string_view light : {"", "--version", "--help", "-h", "info", "names"})
    if (command == light) return;
  if (std::getenv("OMP_WAIT_POLICY") != nullptr || std::getenv("GOMP_SPINCOUNT") != nullptr) return;
  if (setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/0) != 0) return;
  execv("/proc/self/exe", argv);
  // Only reached when the restart failed (no /proc): run on with libgomp's default policy.
}

}  // namespace

int main(int argc, char** argv) {
  restart_with_passive_openmp_waiting(argc, argv);
  modir::handle_interrupts();
  return modir::cli::run(argc, argv);
}
