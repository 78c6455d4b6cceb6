#include "journal/entry_codec.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>
#include <type_traits>
#include <string>
#include <utility>
#include <variant>

#include "absl/status/status.h"
#include "base/sha256.h"
#include "journal/canonical_reader.h"
#include "journal/canonical_writer.h"
#include "base/strings.h"

namespace account::internal {
namespace {

// --- Writing (the fields: canonical_writer.h) ---------------------------------------------------

// An event's tag byte: its LedgerEvent alternative's index + 1.
template <typename Event, size_t I = 0>
constexpr size_t internal_event_tag() {
  if constexpr (std::is_same_v<Event, std::variant_alternative_t<I, LedgerEvent>>) {
    return I + 1;
  } else {
    return internal_event_tag<Event, I + 1>();
  }
}

}  // namespace

namespace {

// Appends one event (its tag, then its fields) to `body`, whose first `*used` bytes are
// written; the string is kept longer than that, so that appends do not resize it each time.
template <typename Event>
void append_event(std::string& body, size_t* used, const Event& event) {
  constexpr size_t kTag = internal_event_tag<Event>();
  // Most events take 40 to 70 bytes; the largest (a fill) under 200 with short ids.
  if (body.size() < *used + 256) body.resize(std::max(2 * body.size(), *used + 256));
  CanonicalWriter w(body, *used);
  w.byte(static_cast<uint8_t>(kTag));
  w.event(event);
  *used = w.at();
}

}  // namespace

void EntryEncoder::clear() {
  used_ = 0;
  count_ = 0;
}

void EntryEncoder::add(const AccountCreated& e) {
  append_event(body_, &used_, e);
  ++count_;
}
void EntryEncoder::add(const SleeperLinkChanged& e) {
  append_event(body_, &used_, e);
  ++count_;
}
void EntryEncoder::add(const EntryApplied& e) {
  append_event(body_, &used_, e);
  ++count_;
}
void EntryEncoder::add(const ReservationCreated& e) {
  append_event(body_, &used_, e);
  ++count_;
}
void EntryEncoder::add(const ReservationChanged& e) {
  append_event(body_, &used_, e);
  ++count_;
}
void EntryEncoder::add(const FillApplied& e) {
  append_event(body_, &used_, e);
  ++count_;
}

void EntryEncoder::add(const LedgerEvent& event) {
  std::visit([this](const auto& e) { add(e); }, event);
}

void EntryEncoder::finish(uint64_t seq, absl::Time committed_at, std::string* out) const {
  out->resize(32 + used_);
  CanonicalWriter w(*out);
  w.byte(kJournalFormatVersion);
  w.unsigned_int(seq);
  w.time(committed_at);
  w.unsigned_int(count_);
  const size_t header = w.at();
  out->resize(header + used_);
  std::memcpy(out->data() + header, body_.data(), used_);
}

void seal_entry(const EntryEncoder& events, const JournalTip& tip, absl::Time now,
                JournalRecord* out) {
  out->seq = tip.head.seq + 1;
  out->committed_at = std::max(now, tip.committed_at);
  events.finish(out->seq, out->committed_at, &out->bytes);
  out->hash = chain_hash(tip.head.hash, out->bytes);
}

std::string encode_entry(uint64_t seq, absl::Time committed_at,
                         absl::Span<const LedgerEvent> events) {
  EntryEncoder encoder;
  for (const LedgerEvent& event : events) encoder.add(event);
  std::string out;
  encoder.finish(seq, committed_at, &out);
  return out;
}

namespace {

// Reads an entry's header (version, seq, commit time, event count) into `entry` and returns the
// event count; the reader stops at the first error.
uint64_t read_header(CanonicalReader& r, JournalEntry& entry) {
  if (!r.format_version(kJournalFormatVersion)) return 0;
  entry.seq = r.unsigned_int("the seq");
  entry.committed_at = r.time("the commit time");
  const uint64_t count = r.unsigned_int("the event count");
  // Each event takes at least two bytes: no more events than that can fit.
  if (r.ok() && count > r.bytes_left() / 2) {
    r.fail(cat("an event count of ", count, ", more than the entry's bytes can hold"));
  }
  return count;
}

}  // namespace

absl::StatusOr<uint64_t> entry_event_count(std::string_view bytes) {
  CanonicalReader r(bytes);
  JournalEntry header;
  const uint64_t count = read_header(r, header);
  if (!r.ok()) return r.status();
  return count;
}

absl::StatusOr<JournalEntry> decode_entry(std::string_view bytes) {
  CanonicalReader r(bytes);
  JournalEntry entry;
  const uint64_t count = read_header(r, entry);
  for (uint64_t i = 0; r.ok() && i < count; ++i) entry.events.push_back(r.event());
  if (r.ok() && !r.at_end()) r.fail(cat(bytes.size() - r.offset(), " bytes after the last event"));
  if (!r.ok()) return r.status();
  return entry;
}

ChainHash chain_hash(const ChainHash& previous, std::string_view canonical_bytes) {
  Sha256 h;
  h.update(previous);
  h.update(canonical_bytes);
  return h.finish();
}

}  // namespace account::internal
