// The journal's canonical bytes (docs/journal.md): one binary form for an entry's seq, commit
// time and events, written once by the ledger, kept as they are by every store, hashed into the
// chain, and read back by every reader.
//
// Format, version 1: a version byte (1); the seq; the commit time in nanoseconds since the Unix
// epoch; the event count; then each event: a tag byte (the LedgerEvent alternative's index + 1)
// and its fields in the order entry_codec.cpp writes them. Unsigned integers (ids, seq, counts,
// lengths) are LEB128 varints; signed ones (cents, quantities, prices, times) zigzag LEB128;
// strings a varint length and their bytes; an optional a byte 0 or 1 before its value; enums a
// byte. Encodings are minimal, and the decoder refuses any other (an overlong varint, a value
// past its type, an unknown tag or enum, a byte left over), so one entry has exactly one
// encoding. Derived figures (an Account's reserved cash and open notional, a Position's reserved
// and pending quantities) are not written and decode as zero.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "account/journal_entry.h"
#include "account/ledger_event.h"

namespace account::internal {

inline constexpr uint8_t kJournalFormatVersion = 1;

// The canonical bytes of an entry; `committed_at` must be finite.
std::string encode_entry(uint64_t seq, absl::Time committed_at,
                         absl::Span<const LedgerEvent> events);

// An entry read back from its canonical bytes; `hash` is left zero (it is not in them).
// DataLoss, naming the byte offset and what was expected there, for any bytes encode_entry()
// could not have written.
absl::StatusOr<JournalEntry> decode_entry(std::string_view bytes);

// SHA-256 over `previous` and `canonical_bytes`: the chain hash of the entry whose bytes they are.
ChainHash chain_hash(const ChainHash& previous, std::string_view canonical_bytes);

}  // namespace account::internal
