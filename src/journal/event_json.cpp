#include "journal/event_json.h"

#include <optional>
#include <string>
#include <type_traits>
#include <variant>

#include "absl/strings/str_cat.h"
#include "account/external_entry.h"
#include "account/reservation.h"
#include "account/side.h"
#include "base/json_text.h"

namespace account::internal {
namespace {

// Appends the members of one JSON object; nested objects open and close through it, so that
// commas fall right without the callers counting.
class JsonObject {
 public:
  explicit JsonObject(std::string& out) : out_(out) { out_ += '{'; }
  void close() { out_ += '}'; }

  void number(std::string_view name, uint64_t v) { absl::StrAppend(&key(name), v); }
  void number(std::string_view name, int64_t v) { absl::StrAppend(&key(name), v); }
  template <typename Tag, typename Rep>
  void id(std::string_view name, StrongId<Tag, Rep> v) {
    number(name, static_cast<uint64_t>(v.value()));
  }
  template <typename Tag>
  void amount(std::string_view name, Amount<Tag> v) {
    number(name, v.value());
  }
  void text(std::string_view name, std::string_view v) { append_json_string(key(name), v); }
  void time(std::string_view name, absl::Time t) { text(name, rfc3339_nanos(t)); }
  void null(std::string_view name) { key(name) += "null"; }
  // Opens a nested object as the member `name`; the caller closes it.
  JsonObject object(std::string_view name) { return JsonObject(key(name)); }

 private:
  std::string& key(std::string_view name) {
    if (members_++ > 0) out_ += ',';
    append_json_string(out_, name);
    out_ += ':';
    return out_;
  }

  std::string& out_;
  size_t members_ = 0;
};

std::string_view side_word(Side side) { return side == Side::kBuy ? "buy" : "sell"; }

void put_link(JsonObject& o, std::string_view name, const std::optional<SleeperLink>& link) {
  if (!link) {
    o.null(name);
    return;
  }
  JsonObject l = o.object(name);
  l.text("user_id", link->user_id);
  l.text("username", link->username);
  l.text("league_id", link->league_id);
  l.text("season", link->season);
  l.number("roster_id", link->roster_id);
  l.close();
}

void put_position(JsonObject& o, std::string_view name, const Position& p) {
  JsonObject n = o.object(name);
  n.id("account", p.account);
  n.id("symbol", p.symbol);
  n.amount("qty_bp", p.qty);
  n.amount("cost_basis_cents", p.cost_basis);
  n.amount("realized_pnl_cents", p.realized_pnl);
  n.close();
}

void put_reservation(JsonObject& o, const Reservation& r) {
  JsonObject n = o.object("reservation");
  n.id("id", r.id);
  n.id("account", r.account);
  n.id("order", r.order);
  n.id("symbol", r.symbol);
  n.text("side", side_word(r.side));
  n.number("limit_cents_per_share", r.limit.cents_per_share());
  n.amount("order_qty_bp", r.order_qty);
  n.amount("remaining_qty_bp", r.remaining_qty);
  n.amount("reserved_cash_cents", r.reserved_cash);
  n.time("created_at", r.created_at);
  n.time("expires_at", r.expires_at);
  n.time("updated_at", r.updated_at);
  n.text("status", reservation_status_name(r.status));
  n.close();
}

void put_leg(JsonObject& o, std::string_view name, const FillParty& party, const FillLeg& leg) {
  JsonObject n = o.object(name);
  n.id("account", party.account);
  n.id("order", party.order);
  n.amount("cash_after_cents", leg.cash_after);
  put_position(n, "position_after", leg.position_after);
  n.amount("realized_pnl_cents", leg.realized_pnl);
  n.close();
}

// --- Each event's fields ----------------------------------------------------------------------

void put_fields(JsonObject& o, const AccountCreated& e) {
  const Account& a = e.account;
  o.id("account", a.id);
  o.text("google_id", a.google_id);
  o.text("display_name", a.display_name);
  o.time("created_at", a.created_at);
  o.amount("cash_cents", a.cash);
  put_link(o, "sleeper", a.sleeper);
}

void put_fields(JsonObject& o, const SleeperLinkChanged& e) {
  o.id("account", e.account);
  put_link(o, "sleeper", e.link);
}

void put_fields(JsonObject& o, const EntryApplied& e) {
  const ExternalEntry& entry = e.entry;
  o.id("account", entry.account);
  o.text("kind", entry_kind_name(entry.kind));
  o.text("key", entry.key);
  // Cash and shares both, whatever the kind, so that every entry_applied has one shape: a share
  // issue moves no cash, a credit or debit no shares.
  o.amount("cash_cents", entry.cash);
  o.id("symbol", entry.symbol);
  o.amount("qty_bp", entry.qty);
  o.time("time", entry.time);
  o.amount("cash_after_cents", e.cash_after);
  if (e.position_after) {
    put_position(o, "position_after", *e.position_after);
  } else {
    o.null("position_after");
  }
}

void put_fields(JsonObject& o, const ReservationCreated& e) { put_reservation(o, e.reservation); }

void put_fields(JsonObject& o, const ReservationChanged& e) {
  o.text("change", reservation_change_name(e.change));
  o.amount("cash_freed_cents", e.cash_freed);
  o.amount("qty_freed_bp", e.qty_freed);
  put_reservation(o, e.reservation);
}

void put_fields(JsonObject& o, const FillApplied& e) {
  const Fill& f = e.fill;
  o.id("execution", f.execution);
  o.id("symbol", f.symbol);
  o.amount("qty_bp", f.qty);
  o.number("price_cents_per_share", f.price.cents_per_share());
  o.id("tick", f.tick);
  o.time("time", f.time);
  put_leg(o, "buyer", f.buyer, e.buyer);
  put_leg(o, "seller", f.seller, e.seller);
}

}  // namespace

std::string_view event_type_name(const LedgerEvent& event) {
  return std::visit(
      [](const auto& e) -> std::string_view {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, AccountCreated>) return "account_created";
        if constexpr (std::is_same_v<E, SleeperLinkChanged>) return "sleeper_link_changed";
        if constexpr (std::is_same_v<E, EntryApplied>) return "entry_applied";
        if constexpr (std::is_same_v<E, ReservationCreated>) return "reservation_created";
        if constexpr (std::is_same_v<E, ReservationChanged>) return "reservation_changed";
        if constexpr (std::is_same_v<E, FillApplied>) return "fill_applied";
      },
      event);
}

std::string_view reservation_change_name(ReservationChange change) {
  switch (change) {
    case ReservationChange::kExtended:
      return "extended";
    case ReservationChange::kPartlySettled:
      return "partly_settled";
    case ReservationChange::kSettled:
      return "settled";
    case ReservationChange::kExpired:
      return "expired";
    case ReservationChange::kCancelled:
      return "cancelled";
    case ReservationChange::kReleased:
      return "released";
  }
  return "unknown";
}

std::string rfc3339_nanos(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E9SZ", time, absl::UTCTimeZone());
}

std::string event_json(uint64_t seq, size_t index, absl::Time committed_at,
                       const LedgerEvent& event) {
  std::string out;
  out.reserve(256);
  JsonObject o(out);
  o.number("seq", seq);
  o.number("index", static_cast<uint64_t>(index));
  o.time("committed_at", committed_at);
  o.text("type", event_type_name(event));
  std::visit([&o](const auto& e) { put_fields(o, e); }, event);
  o.close();
  return out;
}

}  // namespace account::internal
