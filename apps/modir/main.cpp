#include "modir/core/interrupt.h"
#include "modir_cli.h"

int main(int argc, char** argv) {
  modir::handle_interrupts();
  return modir::cli::run(argc, argv);
}
