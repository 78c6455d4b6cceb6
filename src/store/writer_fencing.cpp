#include "account/writer_fencing.h"

#include "absl/strings/cord.h"
#include "base/strings.h"

namespace account {

absl::Status writer_fenced_error(std::string_view message) {
  absl::Status status = absl::AbortedError(internal::to_absl(message));
  status.SetPayload(internal::to_absl(kWriterFencedPayloadUrl), absl::Cord());
  return status;
}

bool is_writer_fenced(const absl::Status& status) {
  return status.code() == absl::StatusCode::kAborted &&
         status.GetPayload(internal::to_absl(kWriterFencedPayloadUrl)).has_value();
}

}  // namespace account
