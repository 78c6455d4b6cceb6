// The canonical bytes of a journal checkpoint's state (journal_checkpoint.h): the rows a
// journal replay holds after the checkpoint's entry, written with a prune in place of the
// entries it removes, and read back by `verify` and balance_at() to start their replay there.
//
// Format, version 1 (kCheckpointFormatVersion). Integers, strings and rows are encoded as in
// a journal entry (entry_codec.h, canonical_writer.h):
//   version      byte 1
//   seq          varint: the entry the rows are after (the checkpoint's seq)
//   head hash    string of 32 bytes: that entry's chain hash
//   high water   varint: the reservation id high-water mark
//   accounts     varint count, then each account by id ascending (CanonicalWriter::account)
//   positions    varint count, then each by (account, symbol) ascending (::position), every
//                position the replay holds, figures at zero included
//   reservations varint count, then every reservation by id ascending (::reservation)
//   executions   varint count, then every execution by id ascending (::fill)
//   entries      varint count, then every external entry by key ascending (::entry)
// No trades: a prune removes the trades of every fill up to its seq.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "account/journal_checkpoint.h"
#include "account/journal_entry.h"
#include "account/ledger_snapshot.h"

namespace account::internal {

inline constexpr uint8_t kCheckpointFormatVersion = 1;

// The bytes of `rows` (each table sorted by key, as JournalReplay::rows() returns them; trades
// are not written) after the entry rows.journal_head.
std::string encode_checkpoint_state(const LedgerSnapshot& rows);

// The rows back, trades empty. DataLoss, naming the byte and what was expected there, for
// bytes encode_checkpoint_state() could not have written (a table out of key order among them).
absl::StatusOr<LedgerSnapshot> decode_checkpoint_state(std::string_view bytes);

// SHA-256 over `hash` and `state`: JournalCheckpoint::digest.
ChainHash checkpoint_digest(const ChainHash& hash, std::string_view state);

// The checkpoint's rows, once its digest and the head its bytes name agree with its fields.
// DataLoss, saying which does not, otherwise.
absl::StatusOr<LedgerSnapshot> open_checkpoint(const JournalCheckpoint& checkpoint);

}  // namespace account::internal
