// One journal event as one line of JSON, for `accountctl events` and whatever reads its output
// (docs/operations.md): a consumer tails the ledger's changes with nothing but a JSON parser.
//
//   event_json(12, 0, committed_at, event)
//   // {"seq":12,"index":0,"committed_at":"2026-09-10T00:00:01.000000000Z",
//   //  "type":"entry_applied","account":1,"kind":"fantasy_credit",...}
//
// Every object starts with the entry's seq, the event's index within the entry (0-based: a
// consumer's cursor is the pair), the entry's commit time and the event's type, then the event's
// fields. Units are in the names: cash in cents (`_cents`, integers), quantities in basis points
// of a share (`_bp`), prices in cents per share (`_cents_per_share`). Times are RFC 3339 in UTC
// with nine fractional digits, so that they sort as text. Ids are JSON integers (unsigned 64-bit:
// a JavaScript reader needs a parser that keeps them exact past 2^53). Enums are lower-case
// words. Strings are escaped (append_json_string), so that any bytes give a line that parses.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "account/ledger_event.h"

namespace account::internal {

// The `type` of each event: "account_created", "sleeper_link_changed", "entry_applied",
// "reservation_created", "reservation_changed", "fill_applied".
std::string_view event_type_name(const LedgerEvent& event);

// "extended", "partly_settled", "settled", "expired", "cancelled", "released".
std::string_view reservation_change_name(ReservationChange change);

// `time` as RFC 3339 in UTC with nanoseconds: "2026-09-10T00:00:01.000000000Z".
std::string rfc3339_nanos(absl::Time time);

// The event, the `index`th of entry `seq` committed at `committed_at`, as one JSON object on one
// line, without a newline.
std::string event_json(uint64_t seq, size_t index, absl::Time committed_at,
                       const LedgerEvent& event);

}  // namespace account::internal
