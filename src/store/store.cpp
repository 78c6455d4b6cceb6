#include "account/store.h"

namespace account {

// A store that keeps no cursors (store.h): the ledger starts its notices at the head.
absl::StatusOr<std::optional<uint64_t>> Store::journal_cursor(std::string_view) {
  return absl::UnimplementedError("this store keeps no journal cursors");
}

absl::Status Store::set_journal_cursor(std::string_view, uint64_t) {
  return absl::UnimplementedError("this store keeps no journal cursors");
}

absl::StatusOr<JournalPruneResult> Store::prune_journal(const JournalPrune&) {
  return absl::UnimplementedError("this store does not prune its journal");
}

absl::StatusOr<std::optional<JournalCheckpoint>> Store::journal_checkpoint() {
  return std::optional<JournalCheckpoint>();
}

absl::StatusOr<TradePage> Store::trade_page(const TradeQuery&) {
  return absl::UnimplementedError("this store answers no history pages");
}

absl::StatusOr<EntryPage> Store::entry_page(const EntryQuery&) {
  return absl::UnimplementedError("this store answers no history pages");
}

absl::StatusOr<ReservationPage> Store::reservation_page(const ReservationQuery&) {
  return absl::UnimplementedError("this store answers no history pages");
}

}  // namespace account
