#include "account/store.h"

namespace account {

// A store that keeps no cursors (store.h): the ledger starts its notices at the head.
absl::StatusOr<std::optional<uint64_t>> Store::journal_cursor(std::string_view) {
  return absl::UnimplementedError("this store keeps no journal cursors");
}

absl::Status Store::set_journal_cursor(std::string_view, uint64_t) {
  return absl::UnimplementedError("this store keeps no journal cursors");
}

}  // namespace account
