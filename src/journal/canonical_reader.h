// The reading side of the journal's canonical encoding (canonical_writer.h writes it;
// entry_codec.h states the conventions). CanonicalReader decodes exactly what CanonicalWriter encodes and
// refuses anything else: an overlong varint, a value past its type, an unknown enum value, a
// string running past the end. It keeps the first error, with its byte offset, and every read
// after it returns zero values, so that a decoder reads straight through and checks ok() once.
//
//   CanonicalReader r(bytes, "journal checkpoint");
//   const Account a = r.account();
//   if (!r.ok()) return r.status();  // DataLoss: "journal checkpoint: byte 12: ..."
//
// Thread-safety: a value over bytes the caller owns; one per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "account/account.h"
#include "account/external_entry.h"
#include "account/fill.h"
#include "account/ledger_event.h"
#include "account/position.h"
#include "account/reservation.h"
#include "account/sleeper_account_link.h"
#include "account/units.h"
#include "base/strings.h"

namespace account::internal {

// Reads until the first error, which it keeps; every read after it returns zero values.
class CanonicalReader {
 public:
  // `what` names the bytes in errors: "journal entry", "journal checkpoint".
  explicit CanonicalReader(std::string_view in, const char* what = "journal entry")
      : in_(in), what_(what) {}

  bool ok() const { return error_.empty(); }
  bool at_end() const { return at_ == in_.size(); }
  size_t offset() const { return at_; }
  size_t bytes_left() const { return in_.size() - at_; }
  // Moves back to `at` (an offset read before), so that a failure names the start of a row.
  void rewind(size_t at) {
    if (ok()) at_ = at;
  }
  absl::Status status() const {
    return absl::DataLossError(cat(what_, ": byte ", error_at_, ": ", error_));
  }
  void fail(std::string what) {
    if (!ok()) return;
    error_ = std::move(what);
    error_at_ = at_;
  }

  // Reads the leading format version byte; refuses any but `expected`, naming both, at byte 0.
  // Returns ok().
  bool format_version(uint8_t expected) {
    const uint8_t found = byte("the format version");
    if (ok() && found != expected) {
      at_ = 0;
      fail(cat("format version ", int{found}, ", this build reads ", int{expected}));
    }
    return ok();
  }

  uint8_t byte(const char* what) {
    if (!ok()) return 0;
    if (at_ >= in_.size()) {
      fail(cat("the bytes end where ", what, " should be"));
      return 0;
    }
    return static_cast<uint8_t>(in_[at_++]);
  }
  uint64_t unsigned_int(const char* what) {
    uint64_t v = 0;
    for (int shift = 0; ok(); shift += 7) {
      const size_t start = at_;
      const uint8_t b = byte(what);
      if (!ok()) return 0;
      if (shift == 63 && b > 1) {
        at_ = start;
        fail(cat(what, ": a varint past 64 bits"));
        return 0;
      }
      v |= uint64_t{b & 0x7fu} << shift;
      if ((b & 0x80) == 0) {
        if (b == 0 && shift > 0) {
          at_ = start;
          fail(cat(what, ": a varint longer than its value needs"));
          return 0;
        }
        return v;
      }
    }
    return 0;
  }
  int64_t signed_int(const char* what) {
    const uint64_t z = unsigned_int(what);
    return static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  std::string text(const char* what) {
    const uint64_t n = unsigned_int(what);
    if (!ok()) return {};
    if (n > in_.size() - at_) {
      fail(cat(what, ": a length of ", n, " bytes, past the end"));
      return {};
    }
    std::string out(in_.substr(at_, n));
    at_ += n;
    return out;
  }
  absl::Time time(const char* what) { return absl::FromUnixNanos(signed_int(what)); }
  template <typename Id>
  Id id(const char* what) {
    return Id{unsigned_int(what)};
  }
  template <typename A>
  A amount(const char* what) {
    return A{signed_int(what)};
  }
  Price price(const char* what) { return Price{signed_int(what)}; }
  bool flag(const char* what) {
    const size_t start = at_;
    const uint8_t b = byte(what);
    if (b > 1) {
      at_ = start;
      fail(cat(what, ": ", int{b}, " where 0 or 1 belongs"));
    }
    return b == 1;
  }
  // A byte that must lie in [lo, hi].
  uint8_t enumerator(const char* what, uint8_t lo, uint8_t hi) {
    const size_t start = at_;
    const uint8_t b = byte(what);
    if (ok() && (b < lo || b > hi)) {
      at_ = start;
      fail(cat(what, ": unknown value ", int{b}));
    }
    return b;
  }

  SleeperLink link() {
    SleeperLink l;
    l.user_id = text("the Sleeper user id");
    l.username = text("the Sleeper username");
    l.league_id = text("the Sleeper league id");
    l.season = text("the Sleeper season");
    l.roster_id = signed_int("the Sleeper roster id");
    return l;
  }
  Account account() {
    Account a;
    a.id = id<AccountId>("the account id");
    a.google_id = text("the Google id");
    a.display_name = text("the display name");
    a.created_at = time("the account's creation time");
    a.cash = amount<Cents>("the account's cash");
    if (flag("whether the account has a Sleeper link")) a.sleeper = link();
    return a;
  }
  Position position() {
    Position p;
    p.account = id<AccountId>("the position's account");
    p.symbol = id<SymbolId>("the position's symbol");
    p.qty = amount<Qty>("the position's quantity");
    p.cost_basis = amount<Cents>("the position's cost basis");
    p.realized_pnl = amount<Cents>("the position's realized P&L");
    return p;
  }
  ExternalEntry entry() {
    ExternalEntry e;
    e.key = text("the entry key");
    e.kind = static_cast<EntryKind>(enumerator("the entry kind", 1, 4));
    e.account = id<AccountId>("the entry's account");
    e.cash = amount<Cents>("the entry's cash");
    e.symbol = id<SymbolId>("the entry's symbol");
    e.qty = amount<Qty>("the entry's quantity");
    e.time = time("the entry's time");
    return e;
  }
  Reservation reservation() {
    Reservation r;
    r.id = id<ReservationId>("the reservation id");
    r.account = id<AccountId>("the reservation's account");
    r.order = id<OrderId>("the reservation's order");
    r.symbol = id<SymbolId>("the reservation's symbol");
    r.side = static_cast<Side>(enumerator("the reservation's side", 1, 2));
    r.limit = price("the reservation's limit");
    r.order_qty = amount<Qty>("the reservation's order quantity");
    r.remaining_qty = amount<Qty>("the reservation's remaining quantity");
    r.reserved_cash = amount<Cents>("the reservation's reserved cash");
    r.created_at = time("the reservation's creation time");
    r.expires_at = time("the reservation's expiry");
    r.updated_at = time("the reservation's update time");
    r.status = static_cast<ReservationStatus>(enumerator("the reservation's status", 1, 5));
    return r;
  }
  Fill fill() {
    Fill f;
    f.execution = id<ExecutionId>("the execution id");
    f.symbol = id<SymbolId>("the fill's symbol");
    f.qty = amount<Qty>("the fill's quantity");
    f.price = price("the fill's price");
    f.buyer.account = id<AccountId>("the buyer");
    f.buyer.order = id<OrderId>("the buyer's order");
    f.seller.account = id<AccountId>("the seller");
    f.seller.order = id<OrderId>("the seller's order");
    f.tick = id<TickId>("the fill's tick");
    f.time = time("the fill's time");
    return f;
  }
  FillLeg leg() {
    FillLeg l;
    l.cash_after = amount<Cents>("a leg's cash after");
    l.position_after = position();
    l.realized_pnl = amount<Cents>("a leg's realized P&L");
    return l;
  }

  LedgerEvent event() {
    switch (enumerator("an event tag", 1, std::variant_size_v<LedgerEvent>)) {
      case 1:
        return AccountCreated{.account = account()};
      case 2: {
        SleeperLinkChanged e{.account = id<AccountId>("the relinked account")};
        if (flag("whether the link is set")) e.link = link();
        return e;
      }
      case 3: {
        EntryApplied e{.entry = entry(), .cash_after = amount<Cents>("the entry's cash after")};
        if (flag("whether the entry has a position after")) e.position_after = position();
        return e;
      }
      case 4:
        return ReservationCreated{.reservation = reservation()};
      case 5: {
        ReservationChanged e;
        e.change = static_cast<ReservationChange>(enumerator("the reservation change", 1, 6));
        e.reservation = reservation();
        e.cash_freed = amount<Cents>("the cash freed");
        e.qty_freed = amount<Qty>("the quantity freed");
        return e;
      }
      case 6: {
        FillApplied e;
        e.fill = fill();
        e.buyer = leg();
        e.seller = leg();
        return e;
      }
      default:
        return LedgerEvent{};
    }
  }

 private:
  std::string_view in_;
  const char* what_;
  size_t at_ = 0;
  std::string error_;
  size_t error_at_ = 0;
};

}  // namespace account::internal
