// File: history.h
//
// The ledger's history as pages (docs/journal.md, "History"): an account's trades by symbol and
// time range, its entries by kind and time, its reservations by status, each oldest first, a
// page at a time. A page ends with the cursor of its last row; the next page is asked for
// after it, so a reader pages through any number of rows, none missed and none repeated, while
// the ledger goes on committing (rows committed meanwhile come in later pages, in order).
//
// Stores answer them (Store::trade_page, entry_page, reservation_page). Run them on a store of
// their own where the store allows: a SqliteStore opened read-only on the same file reads beside
// the writer (WAL), a PostgresStore opened read-only has a connection of its own and may name a
// replica; either way a history query never waits behind a commit.
//
// Units as everywhere: cash in cents, quantities in basis points, times absolute.
//
// Thread-safety: plain values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "account/external_entry.h"
#include "account/ids.h"
#include "account/position.h"
#include "account/reservation.h"
#include "account/trade.h"

namespace account {

// An account's figures as of a time (AccountService::balance_at): after the journal entry
// `seq`, the last committed at or before that time.
struct AccountBalance {
  AccountId account;
  uint64_t seq = 0;
  Cents cash;
  Cents available_cash;  // Cash less what its active buy orders held.
  // Positions with shares, cost basis, realized P&L or an open order, by symbol, their reserved
  // and pending quantities those of the orders active then.
  std::vector<Position> positions;
};

// Rows a page may ask for: at most this many.
inline constexpr size_t kHistoryPageRowsMax = 10'000;

// An account's trades, in commit order (the order the store wrote them: a fill's buy and sell
// legs in that order), optionally of one symbol and with fill times in [from, to).
struct TradeQuery {
  AccountId account;
  std::optional<SymbolId> symbol;
  absl::Time from = absl::InfinitePast();  // Fill time, inclusive.
  absl::Time to = absl::InfiniteFuture();  // Fill time, exclusive.
  // The cursor of the last row of the previous page (TradePage::last_row); 0 for the first.
  uint64_t after_row = 0;
  size_t limit = 100;  // 1..kHistoryPageRowsMax.
};

struct TradePage {
  std::vector<Trade> trades;
  // The store's row number of the last trade returned (commit order, starting at 1): the next
  // page's after_row. after_row as asked when the page is empty.
  uint64_t last_row = 0;
  bool more = false;  // Rows after this page match the query.
};

// An account's external entries (credits, debits, share issues), by time and then key,
// optionally of one kind and with times in [from, to).
struct EntryQuery {
  AccountId account;
  std::optional<EntryKind> kind;
  absl::Time from = absl::InfinitePast();  // Entry time (the ledger's clock), inclusive.
  absl::Time to = absl::InfiniteFuture();  // Exclusive.
  // The (time, key) of the last row of the previous page; nullopt for the first page.
  struct After {
    absl::Time time;
    std::string key;
  };
  std::optional<After> after;
  size_t limit = 100;  // 1..kHistoryPageRowsMax.
};

struct EntryPage {
  std::vector<ExternalEntry> entries;
  bool more = false;  // Ask again after the last entry's (time, key).
};

// An account's reservations by id (the order they were made), optionally of one status. The
// store keeps every reservation (memory prunes finished ones after
// LedgerLimits::finished_reservation_retention; the store does not).
struct ReservationQuery {
  AccountId account;
  std::optional<ReservationStatus> status;
  ReservationId after_id;  // The last id of the previous page; 0 for the first.
  size_t limit = 100;      // 1..kHistoryPageRowsMax.
};

struct ReservationPage {
  std::vector<Reservation> reservations;
  bool more = false;  // Ask again after the last reservation's id.
};

}  // namespace account
