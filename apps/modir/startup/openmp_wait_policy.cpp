// Makes the program's OpenMP threads wait passively at barriers, before libgomp reads its settings.
//
// libgomp spins 300 000 times at every barrier by default. When the machine has other work (a
// second modir, CTest's second job, a Snakemake rule beside this one, a build), the spinning
// threads burn the time slices their partners need: two guided registrations side by side on 2
// cores took 17.4 s each with spinning and 5-6 s with passive waiting, and alone they take
// 3.3-4.6 s either way (2026-12-05).
//
// libgomp reads OMP_WAIT_POLICY once, in its constructor, before main. Setting it from the
// program's .preinit_array does not work with glibc: libc's own initialiser runs after the
// preinit functions and resets the environment to the one the program was started with. This
// file is therefore a shared library of its own, linked right after libgomp (apps/modir's
// CMakeLists.txt): the dynamic loader runs the constructors of a program's libraries in the
// reverse order of its DT_NEEDED list, dependencies first, so this constructor runs after libc's
// and before libgomp's. The integration test Cli.OpenMpThreadsWaitPassivelyUnlessTheUserChoseAPolicy
// checks the policy libgomp settled on, so a change of link order cannot go unnoticed.
#include <cstdlib>

namespace {

// A user who sets OMP_WAIT_POLICY (e.g. ACTIVE on an idle, dedicated machine) or GOMP_SPINCOUNT is
// obeyed.
__attribute__((constructor)) void prefer_passive_openmp_waiting() {
  if (std::getenv("GOMP_SPINCOUNT") != nullptr) return;
  setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/0);
}

}  // namespace
