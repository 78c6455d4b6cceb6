// File: ids.h
//
// Strong identifier types. Every id at the public API is its own type, so an
// OrderId cannot be passed where an AccountId is expected (tests/compile_fail
// proves it does not compile).
//
//   account::AccountId buyer{42};
//   uint64_t raw = buyer.value();
//
// Thread-safety: plain values.
#pragma once

#include <compare>
#include <cstdint>
#include <ostream>
#include <utility>

namespace account {

template <typename Tag, typename Rep = uint64_t>
class StrongId {
 public:
  using rep_type = Rep;

  constexpr StrongId() = default;
  constexpr explicit StrongId(Rep value) : value_(value) {}

  constexpr Rep value() const { return value_; }
  // Id 0 is never issued; it marks "no id".
  constexpr bool valid() const { return value_ != Rep{}; }

  friend constexpr auto operator<=>(StrongId, StrongId) = default;

  template <typename H>
  friend H AbslHashValue(H h, StrongId id) {
    return H::combine(std::move(h), id.value_);
  }
  friend std::ostream& operator<<(std::ostream& os, StrongId id) { return os << id.value_; }

 private:
  Rep value_{};
};

// Account ids are issued by the ledger, densely from 1.
using AccountId = StrongId<struct AccountIdTag>;
// Symbols are NFL players, numbered by the exchange.
using SymbolId = StrongId<struct SymbolIdTag>;
// Order ids are issued by the order gateway and are unique exchange-wide.
using OrderId = StrongId<struct OrderIdTag>;
// Execution ids are opaque u64 built by the matching engine (tick and sequence).
using ExecutionId = StrongId<struct ExecutionIdTag>;
// Reservation ids are issued by the ledger, densely from 1.
using ReservationId = StrongId<struct ReservationIdTag>;
// Matching-engine tick (1 ms by default).
using TickId = StrongId<struct TickIdTag>;

}  // namespace account
