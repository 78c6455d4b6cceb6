// Private to the accountctl tool: the commands that read the ledger's journal and history
// (docs/journal.md) from a store opened read-only beside a running ledger. accountctl.cpp parses
// their options and opens the store; these read it and print.
//
//   accountctl events [--since N] [--max N] [--follow] [--poll-ms N]
//       one JSON object per line per event (journal/event_json.h), the entries after seq N
//   accountctl verify
//       the hash chain, the tables against a replay of the journal, both state hashes
//   accountctl history trades|entries|reservations ACCOUNT [filters] [--after C] [--limit N]
//       one page of an account's history (account/history.h), a table or JSON lines
//
// Thread-safety: each call is one command run; the store is the only thing shared.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "account/history.h"
#include "account/store.h"
#include "accountctl.h"

namespace account::cli {

// Entries asked of the store per call: bounded memory and a round trip per thousand entries.
inline constexpr size_t kJournalPageEntries = 1'000;

struct EventsOptions {
  uint64_t since = 0;                // Print the entries after this seq.
  std::optional<size_t> max_events;  // Stop once this many events are printed (>= 1).
  bool follow = false;               // At the head, wait for new entries instead of ending.
  absl::Duration poll = absl::Milliseconds(500);  // How often --follow asks for new entries.
};

// `accountctl events`: prints the entries of `store`'s journal after options.since, each event
// as one line of JSON on context.out, whole entries only: with max_events, the entries that fit
// (the first always, however many events it holds), then exit 0. Without follow it ends at the
// head (exit 0); with follow it asks again every options.poll until SIGINT or SIGTERM, or until
// context.stop_following answers true (exit 0 either way). Errors on context.err:
//   kExitUsage        options.since is past the journal's head (the message names the head): the
//                     cursor does not belong to this journal.
//   kExitNotFound     the entries after options.since were pruned (names the first kept seq).
//   kExitUnavailable  the store could not be read; resume with --since the last seq printed.
//   kExitFailed       a stored entry does not decode, or holds another seq than expected.
int print_events(CliContext& context, Store& store, const EventsOptions& options);

// `accountctl verify`: checks `store` (`description` names it, as OpenedStore's does) against
// its own journal and prints one line per check (docs/operations.md):
//   chain: every stored entry, a page at a time, through a ChainChecker from the zero anchor;
//   replay: every entry applied to a JournalReplay, then held against a full load of the store
//     (first_difference), naming the first row that differs and the seq that last wrote it;
//   state hash: state_hash() of the replay and of the load, at the load's journal head.
// Beside a live ledger: the journal is read to its head at that moment, then the store loaded;
// when the load's journal head is further on, the entries in between are read and applied too,
// so both sides stand at the same seq (stored entries never change, and a load is one
// consistent snapshot). A store whose rows predate its journal (migrated from before it: account
// 1 stored, never created by the journal), or whose journal starts after seq 1, cannot be
// replayed from the empty ledger: the replay check says so and is skipped, and does not fail.
// Returns kExitOk when every check that ran agrees, kExitProblemsFound when one does not,
// kExitUnavailable (or exit_code_for()'s code) when the store could not be read.
int verify_store(CliContext& context, Store& store, std::string_view description);

// What `accountctl history` lists.
enum class HistoryKind : uint8_t { kTrades, kEntries, kReservations };

// One page of `accountctl history`: the query of `kind` (the others are unused), checked by the
// caller as history.h asks.
struct HistoryOptions {
  HistoryKind kind = HistoryKind::kTrades;
  TradeQuery trades;
  EntryQuery entries;
  ReservationQuery reservations;
  bool json = false;  // One JSON object per line instead of a table.
};

// An entry's cursor as `--after` takes it: "<Unix nanoseconds>:<key in hex>" (hex, so that any
// bytes of a key pass through a shell). parse_entry_cursor() gives nullopt for text that is not
// one.
std::string entry_cursor_text(const EntryQuery::After& after);
std::optional<EntryQuery::After> parse_entry_cursor(std::string_view text);

// `accountctl history`: one page of `store`'s history as `options` asks, oldest first, as a table
// (a line saying how many rows, then the rows) or, with options.json, one JSON object per row
// (docs/operations.md). When more rows follow, a last line gives the cursor to pass as --after
// for the next page: "next page: --after CURSOR", or {"more":true,"after":"CURSOR"}; none
// follows the last page. Exit 0; on context.err, exit_code_for()'s code when the store fails
// (kExitFailed for a store that keeps no history), kExitUsage for a query it refuses.
int print_history(CliContext& context, Store& store, const HistoryOptions& options);

}  // namespace account::cli
