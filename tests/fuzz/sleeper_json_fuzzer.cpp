// Fuzz target: Sleeper's answers (src/sleeper/sleeper_json.h over the shared
// reader, src/http/json_reader.h). Every input is parsed and read by each of
// the six readers, as the client does with a response body: each must return
// a value or a clear error (kSleeperResponseInvalid, or kSleeperNotFound for
// a null user or league), never crash, read out of bounds or hit undefined
// behaviour.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "account/status.h"
#include "http/json_reader.h"
#include "sleeper/sleeper_json.h"

namespace {

namespace sj = account::internal::sleeper;
using account::Reason;

template <typename Read>
void read_with(account::internal::http::dom::parser& parser, std::string_view body, Read read) {
  const account::internal::http::JsonReader json = sj::sleeper_reader("GET /fuzz");
  absl::Status status;
  if (auto root = json.parse(parser, body); !root.ok()) {
    status = root.status();
  } else {
    status = read(*root, json).status();
  }
  if (status.ok()) return;
  const std::optional<Reason> reason = account::reason_of(status);
  if (reason != Reason::kSleeperResponseInvalid && reason != Reason::kSleeperNotFound) {
    std::abort();  // The readers promise these two reasons (NotFound only for null) on bad input.
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static account::internal::http::dom::parser parser;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  read_with(parser, body, sj::read_user);
  read_with(parser, body, sj::read_leagues);
  read_with(parser, body, sj::read_league);
  read_with(parser, body, sj::read_rosters);
  read_with(parser, body, sj::read_matchups);
  read_with(parser, body, sj::read_nfl_state);
  return 0;
}
