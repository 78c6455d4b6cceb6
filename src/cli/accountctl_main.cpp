// accountctl: the operator CLI (see accountctl.h, or run `accountctl help`).
#include <string>
#include <vector>

#include "accountctl.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  account::cli::CliContext context = account::cli::default_cli_context();
  return account::cli::run_accountctl(args, context);
}
