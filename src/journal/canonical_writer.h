// The journal's canonical encoding of values and rows (entry_codec.h states the conventions:
// LEB128 varints for unsigned integers, zigzag LEB128 for signed ones, a varint length before a
// string's bytes, a 0/1 byte before an optional's value, enums as a byte). Each row type has one
// field order, shared by everything that hashes or stores canonical bytes: a journal entry's
// events (entry_codec) and the ledger's state hash (state_hash), so that an account, position,
// reservation or entry is written the same way wherever it appears. Derived figures (an
// Account's reserved cash and open notional, a Position's reserved and pending quantities) are
// never written.
//
//   std::string out;
//   CanonicalWriter w(out);
//   w.unsigned_int(rows.size());
//   for (const Account& a : rows) w.account(a);
//   w.finish();  // `out` now holds exactly the bytes written.
//
// Thread-safety: a value over a string the caller owns; one per thread.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "account/account.h"
#include "account/external_entry.h"
#include "account/fill.h"
#include "account/ledger_event.h"
#include "account/position.h"
#include "account/reservation.h"
#include "account/sleeper_account_link.h"
#include "account/units.h"

namespace account::internal {

// Writes through a cursor into a string sized ahead, growing it by doubling: appending byte by
// byte through std::string cost three quarters of an entry's encoding.
class CanonicalWriter {
 public:
  // Writes from byte `at` of `out` on (the bytes before it are kept).
  explicit CanonicalWriter(std::string& out, size_t at = 0) : out_(out), at_(at) {}
  // Cuts the string to what was written.
  void finish() { out_.resize(at_); }
  // Where the next byte goes: the count written, when the string is kept longer than that.
  size_t at() const { return at_; }

  void byte(uint8_t b) {
    ensure(1);
    out_[at_++] = static_cast<char>(b);
  }
  void unsigned_int(uint64_t v) {
    ensure(10);
    char* p = out_.data() + at_;
    size_t n = 0;
    while (v >= 0x80) {
      p[n++] = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    p[n++] = static_cast<char>(v);
    at_ += n;
  }
  void signed_int(int64_t v) {
    unsigned_int((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  void text(std::string_view s) {
    unsigned_int(s.size());
    ensure(s.size());
    std::memcpy(out_.data() + at_, s.data(), s.size());
    at_ += s.size();
  }
  void time(absl::Time t) { signed_int(absl::ToUnixNanos(t)); }
  template <typename Id>
  void id(Id v) {
    unsigned_int(v.value());
  }
  template <typename A>
  void amount(A a) {
    signed_int(a.value());
  }
  void price(Price p) { signed_int(p.cents_per_share()); }

  void link(const SleeperLink& l) {
    text(l.user_id);
    text(l.username);
    text(l.league_id);
    text(l.season);
    signed_int(l.roster_id);
  }
  void account(const Account& a) {
    id(a.id);
    text(a.google_id);
    text(a.display_name);
    time(a.created_at);
    amount(a.cash);
    byte(a.sleeper.has_value() ? 1 : 0);
    if (a.sleeper) link(*a.sleeper);
  }
  void position(const Position& p) {
    id(p.account);
    id(p.symbol);
    amount(p.qty);
    amount(p.cost_basis);
    amount(p.realized_pnl);
  }
  void entry(const ExternalEntry& e) {
    text(e.key);
    byte(static_cast<uint8_t>(e.kind));
    id(e.account);
    amount(e.cash);
    id(e.symbol);
    amount(e.qty);
    time(e.time);
  }
  void reservation(const Reservation& r) {
    id(r.id);
    id(r.account);
    id(r.order);
    id(r.symbol);
    byte(static_cast<uint8_t>(r.side));
    price(r.limit);
    amount(r.order_qty);
    amount(r.remaining_qty);
    amount(r.reserved_cash);
    time(r.created_at);
    time(r.expires_at);
    time(r.updated_at);
    byte(static_cast<uint8_t>(r.status));
  }
  void fill(const Fill& f) {
    id(f.execution);
    id(f.symbol);
    amount(f.qty);
    price(f.price);
    id(f.buyer.account);
    id(f.buyer.order);
    id(f.seller.account);
    id(f.seller.order);
    id(f.tick);
    time(f.time);
  }
  void leg(const FillLeg& l) {
    amount(l.cash_after);
    position(l.position_after);
    amount(l.realized_pnl);
  }

  void event(const AccountCreated& e) { account(e.account); }
  void event(const SleeperLinkChanged& e) {
    id(e.account);
    byte(e.link.has_value() ? 1 : 0);
    if (e.link) link(*e.link);
  }
  void event(const EntryApplied& e) {
    entry(e.entry);
    amount(e.cash_after);
    byte(e.position_after.has_value() ? 1 : 0);
    if (e.position_after) position(*e.position_after);
  }
  void event(const ReservationCreated& e) { reservation(e.reservation); }
  void event(const ReservationChanged& e) {
    byte(static_cast<uint8_t>(e.change));
    reservation(e.reservation);
    amount(e.cash_freed);
    amount(e.qty_freed);
  }
  void event(const FillApplied& e) {
    fill(e.fill);
    leg(e.buyer);
    leg(e.seller);
  }

 private:
  void ensure(size_t n) {
    if (at_ + n > out_.size()) out_.resize(std::max(2 * out_.size(), at_ + n));
  }

  std::string& out_;
  size_t at_ = 0;
};

}  // namespace account::internal
