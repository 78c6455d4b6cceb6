// Test helpers for accountctl: run one command line in-process with its
// output captured, against a store and a Sleeper the test chooses.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "accountctl.h"

namespace account::testing {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// A FILE* writing into memory (POSIX open_memstream), read back once closed.
class CapturedStream {
 public:
  CapturedStream() : file_(open_memstream(&buffer_, &size_)) { REQUIRE(file_ != nullptr); }
  ~CapturedStream() {
    if (file_ != nullptr) std::fclose(file_);
    std::free(buffer_);
  }
  std::FILE* file() { return file_; }
  std::string take() {
    std::fclose(file_);
    file_ = nullptr;
    return std::string(buffer_, size_);
  }

 private:
  char* buffer_ = nullptr;
  size_t size_ = 0;
  std::FILE* file_;
};

inline Environment env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    if (auto it = vars.find(std::string(name)); it != vars.end()) return it->second;
    return std::nullopt;
  };
}

inline CliResult run_cli(cli::CliContext context, std::vector<std::string> args) {
  CapturedStream out;
  CapturedStream err;
  context.out = out.file();
  context.err = err.file();
  CliResult result;
  result.exit_code = cli::run_accountctl(args, context);
  result.out = out.take();
  result.err = err.take();
  UNSCOPED_INFO("accountctl exit " << result.exit_code << "\n--- stdout\n"
                                   << result.out << "--- stderr\n"
                                   << result.err);
  return result;
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace account::testing
