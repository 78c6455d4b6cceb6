// Private to the library: what every store checks of a history query (account/history.h) before
// it reads, and the bounds the SQL stores bind for one.
//
//   if (absl::Status ok = internal::check_history_query(query); !ok.ok()) return ok;
//
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "account/history.h"
#include "base/strings.h"

namespace account::internal {

inline absl::Status check_history_account(AccountId account) {
  if (account.valid()) return absl::OkStatus();
  return absl::InvalidArgumentError("history query for account 0: name an account");
}

inline absl::Status check_history_limit(size_t limit) {
  if (limit >= 1 && limit <= kHistoryPageRowsMax) return absl::OkStatus();
  return absl::InvalidArgumentError(
      cat("history page limit ", limit, ": ask for 1 to ", kHistoryPageRowsMax, " rows"));
}

inline absl::Status check_history_range(absl::Time from, absl::Time to) {
  if (from < to) return absl::OkStatus();
  const auto text = [](absl::Time t) {
    return absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone());
  };
  return absl::InvalidArgumentError(cat("history time range [", text(from), ", ", text(to),
                                        ") is empty: `from` must come before `to`"));
}

inline absl::Status check_history_query(const TradeQuery& q) {
  absl::Status ok = check_history_account(q.account);
  if (ok.ok()) ok = check_history_limit(q.limit);
  if (ok.ok()) ok = check_history_range(q.from, q.to);
  return ok;
}

inline absl::Status check_history_query(const EntryQuery& q) {
  absl::Status ok = check_history_account(q.account);
  if (ok.ok()) ok = check_history_limit(q.limit);
  if (ok.ok()) ok = check_history_range(q.from, q.to);
  return ok;
}

inline absl::Status check_history_query(const ReservationQuery& q) {
  absl::Status ok = check_history_account(q.account);
  if (ok.ok()) ok = check_history_limit(q.limit);
  return ok;
}

// The SQL stores keep times as int64 nanoseconds since the Unix epoch, the infinities at the ends
// of the range (INT64_MIN the infinite past, INT64_MAX the infinite future). This is the least
// stored value whose time is at or after `t`, so that "time >= t" is "time_ns >= it" and
// "time < t" is "time_ns < it", exactly as MemoryStore compares absl::Time.
inline int64_t stored_ns_at_or_after(absl::Time t) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  if (t == absl::InfinitePast()) return kMin;
  // Only the infinite future, stored as kMax, is at or after a time past kMax - 1 ns.
  if (t > absl::FromUnixNanos(kMax - 1)) return kMax;
  // kMin reads back as the infinite past, which is before any finite time.
  if (t <= absl::FromUnixNanos(kMin + 1)) return kMin + 1;
  int64_t ns = absl::ToUnixNanos(t);  // Rounds down.
  if (absl::FromUnixNanos(ns) < t) ++ns;
  return ns;
}

// Stored ids from `first` to `last`, inclusive; empty when first > last.
struct StoredIdRange {
  int64_t first = 1;
  int64_t last = 0;
};

// The stored ranges that hold the ids after `after`, in the ledger's (unsigned) order. The SQL
// stores keep an id as its bit pattern, so ids of 2^63 and above read as negative there and come
// after every other: first the non-negative range, then the negative one.
inline std::array<StoredIdRange, 2> stored_ids_after(uint64_t after) {
  constexpr uint64_t kHighBit = uint64_t{1} << 63;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  std::array<StoredIdRange, 2> ranges{};
  if (after < kHighBit - 1) ranges[0] = {static_cast<int64_t>(after + 1), kMax};
  if (after < kHighBit) {
    ranges[1] = {std::numeric_limits<int64_t>::min(), -1};
  } else if (after < std::numeric_limits<uint64_t>::max()) {
    ranges[1] = {static_cast<int64_t>(after + 1), -1};
  }
  return ranges;
}

}  // namespace account::internal
