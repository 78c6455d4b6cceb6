// Fuzz target: Sleeper's answers (src/sleeper/sleeper_json.h over
// json_reader.h). Every input is read by each of the six readers, as the
// client does with a response body: each must return a value or a clear
// error (DataLoss, or NotFound for a null user or league), never crash, read
// out of bounds or hit undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "json_reader.h"
#include "sleeper_json.h"

namespace {

namespace sj = account::internal::sleeper;

template <typename Read>
void read_with(sj::od::parser& parser, const uint8_t* data, size_t size, Read read) {
  std::string body(reinterpret_cast<const char*>(data), size);
  const sj::JsonContext ctx("GET /fuzz");
  const absl::Status status = sj::parse_document(parser, body, ctx, [&](sj::od::document& doc) {
    return read(doc, ctx).status();
  });
  const absl::StatusCode code = status.code();
  if (code != absl::StatusCode::kOk && code != absl::StatusCode::kDataLoss &&
      code != absl::StatusCode::kNotFound) {
    std::abort();  // The readers promise DataLoss (or NotFound for null) on bad input.
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static sj::od::parser parser;
  read_with(parser, data, size, sj::read_user);
  read_with(parser, data, size, sj::read_leagues);
  read_with(parser, data, size, sj::read_league);
  read_with(parser, data, size, sj::read_rosters);
  read_with(parser, data, size, sj::read_matchups);
  read_with(parser, data, size, sj::read_nfl_state);
  return 0;
}
