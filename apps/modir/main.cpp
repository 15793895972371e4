#include "modir_cli.h"

int main(int argc, char** argv) {
  return modir::cli::run(argc, argv);
}
