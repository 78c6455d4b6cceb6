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

// Builds an entry's canonical bytes as its events come: each event is encoded when added, so a
// batch's events are never held as LedgerEvent values (the ledger adds them while it stages the
// batch's commands). Reused from batch to batch, it keeps its buffer.
class EntryEncoder {
 public:
  // Forgets the events added (keeping the buffer).
  void clear();
  void add(const AccountCreated& event);
  void add(const SleeperLinkChanged& event);
  void add(const EntryApplied& event);
  void add(const ReservationCreated& event);
  void add(const ReservationChanged& event);
  void add(const FillApplied& event);
  void add(const LedgerEvent& event);
  size_t event_count() const { return count_; }
  // Writes into `out` the canonical bytes of the entry `seq`, committed at `committed_at`
  // (finite), holding the events added since clear(): encode_entry()'s bytes for them.
  void finish(uint64_t seq, absl::Time committed_at, std::string* out) const;

 private:
  std::string body_;  // The events' bytes, in the first used_ bytes.
  size_t used_ = 0;
  size_t count_ = 0;
};

// The canonical bytes of an entry; `committed_at` must be finite.
std::string encode_entry(uint64_t seq, absl::Time committed_at,
                         absl::Span<const LedgerEvent> events);

// An entry read back from its canonical bytes; `hash` is left zero (it is not in them).
// DataLoss, naming the byte offset and what was expected there, for any bytes encode_entry()
// could not have written.
absl::StatusOr<JournalEntry> decode_entry(std::string_view bytes);

// The event count an entry's canonical bytes declare, read from their header alone (the
// version, seq and time before it); DataLoss as decode_entry() when the header does not parse.
absl::StatusOr<uint64_t> entry_event_count(std::string_view bytes);

// SHA-256 over `previous` and `canonical_bytes`: the chain hash of the entry whose bytes they are.
ChainHash chain_hash(const ChainHash& previous, std::string_view canonical_bytes);

// The newest committed entry, where the next one chains on: its seq and hash, and its commit
// time, which the next entry's may not precede.
struct JournalTip {
  JournalHead head;
  absl::Time committed_at = absl::InfinitePast();
};

// Writes into `out` the entry that follows `tip` with the events of `events`: seq tip + 1,
// committed at `now` or at the tip's time if the clock stepped back (committed_at never
// decreases along the seq), its canonical bytes and its chain hash.
void seal_entry(const EntryEncoder& events, const JournalTip& tip, absl::Time now,
                JournalRecord* out);

}  // namespace account::internal
