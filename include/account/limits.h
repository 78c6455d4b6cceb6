// File: limits.h
//
// Every configurable bound of the ledger, in one place, each with its unit
// and why it has its default.
//
//   LedgerLimits limits;
//   limits.position_cap_qty = Qty{1'000 * kBpPerShare};  // 1,000 shares per symbol
//
// Thread-safety: plain value, read once at construction.
#pragma once

#include <cstddef>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "account/units.h"

namespace account {

struct LedgerLimits {
  // Prices run $1 to $1,000 in 1-cent steps on the exchange.
  Price price_min{100};
  Price price_max{100'000};

  // Largest quantity of one order or fill: 1,000,000 shares. Keeps every
  // qty x price product far inside int64 cents.
  Qty order_qty_max{1'000'000 * kBpPerShare};

  // Per-symbol position cap: position plus unfilled buy orders of one symbol
  // may not exceed it. 100,000 shares by default.
  Qty position_cap_qty{100'000 * kBpPerShare};

  // Per-account cap on open order notional at limit (buys and sells), in
  // cents. $10,000,000 by default: far above any play-money balance, so only
  // a runaway client meets it.
  Cents open_notional_cap{1'000'000'000};

  // Largest single external entry, in cents ($100,000,000) and shares.
  Cents entry_cash_max{10'000'000'000};
  Qty entry_qty_max{100'000'000 * kBpPerShare};

  // A reservation expires 7 days after creation unless extended, and can be
  // extended to at most 30 days after creation (the exchange's rules).
  absl::Duration reservation_expiry_default = absl::Hours(24 * 7);
  absl::Duration reservation_expiry_max = absl::Hours(24 * 30);

  // Applied execution ids are kept in memory while their fill time is within
  // this window of the newest fill seen; older redeliveries are checked
  // against the store (slow path). One day covers any engine restart or
  // replay; at ~110-130 bytes per id (the fill and its index slot) it costs
  // ~120 MB per million fills a day.
  absl::Duration execution_retention = absl::Hours(24);

  // A fill may carry a time at most this far ahead of the ledger's clock.
  // The dedupe window follows the newest fill time and forgets fills from
  // its front, oldest arrival first: one fill stamped a year ahead (an
  // engine clock glitch) would send every later fill to the store for its
  // dedupe lookup and stop the window from ever shrinking. Refused with
  // kFillTimeAhead instead, which is transient: the trade happened, and the
  // engine hands the fill in again once the ledger's clock has caught up.
  absl::Duration fill_time_ahead_max = absl::Minutes(1);

  // Finished reservations stay in memory this long after they finish, so that
  // a late cancel says kReservationNotActive rather than kReservationNotFound.
  absl::Duration finished_reservation_retention = absl::Hours(24 * 7);

  // Trades kept in memory per account for trade_history(); older ones are
  // read from the store.
  size_t trades_in_memory_per_account_max = 1'000;
  // Whether open (and each reload) loads every account's newest trades, up
  // to trades_in_memory_per_account_max, into memory. True: trade_history()
  // answers from memory at once, even while the store is down. False: open
  // loads none, memory keeps the trades since, and trade_history() reads the
  // store for anything older (kStoreUnavailable while it is down). The trades
  // were most of a large ledger's open: 1M accounts with 11M trades opened in
  // 18-21 s on SQLite with them (docs/perf/2026-12-07-restart-and-memory.md).
  bool trade_history_loaded_at_open = true;

  // The newest journal entries kept in memory, in bytes of their canonical form (a fill's
  // events take about 170), for AccountService::events_since() to answer consumers near the
  // head without the store. 0: every read goes to the store.
  size_t journal_in_memory_bytes_max = size_t{64} << 20;

  // Most commands one group commit takes from the queue.
  size_t group_commit_commands_max = 1'024;
  // How long a leader alone in the queue, right after a group of several
  // commands, waits for the callers that group released to come back, so
  // that they share its commit (PostgreSQL's commit_delay, only when there
  // are siblings). A few times the wake-up of a waiting thread; far below a
  // durable commit (0.3-1 ms on PostgreSQL, docs/perf/2026-12-07-gateway.md).
  // Zero turns it off.
  absl::Duration group_commit_wait = absl::Microseconds(200);
};

// OK when every bound makes sense, else InvalidArgument naming the first
// field that does not (a price range upside down, a cap or retention of zero
// or less, order_qty_max x price_max leaving int64, no command per group).
// AccountService::open() refuses limits that fail it.
absl::Status validate_limits(const LedgerLimits& limits);

}  // namespace account
