#include "ledger/ledger_commands.h"

#include <algorithm>
#include <string>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "account/fantasy/fantasy_funding.h"
#include "account/notional.h"
#include "base/strings.h"
#include "account/status.h"
#include "account/writer_fencing.h"
#include "base/check.h"
#include "ledger/fill_trade.h"

namespace account::internal {
namespace {

// Full precision: two times a nanosecond apart must not print the same.
std::string time_str(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

// The checks below are small enough to inline into the commands; the
// denials, which format their figures, are built out of line.

ABSL_ATTRIBUTE_NOINLINE absl::Status qty_denial(const LedgerLimits& limits, Qty qty) {
  return denial(Reason::kInvalidQuantity,
                internal::cat("quantity ", qty.value(), " bp is outside 1..",
                             limits.order_qty_max.value(), " bp"));
}

absl::Status check_qty(const LedgerLimits& limits, Qty qty) {
  if (ABSL_PREDICT_FALSE(qty.value() <= 0 || qty > limits.order_qty_max)) {
    return qty_denial(limits, qty);
  }
  return absl::OkStatus();
}

ABSL_ATTRIBUTE_NOINLINE absl::Status price_denial(const LedgerLimits& limits, Price price) {
  return denial(Reason::kInvalidPrice,
                internal::cat("price ", price.cents_per_share(), " cents is outside ",
                             limits.price_min.cents_per_share(), "..",
                             limits.price_max.cents_per_share(), " cents"));
}

absl::Status check_price(const LedgerLimits& limits, Price price) {
  if (ABSL_PREDICT_FALSE(price < limits.price_min || price > limits.price_max)) {
    return price_denial(limits, price);
  }
  return absl::OkStatus();
}

ABSL_ATTRIBUTE_NOINLINE absl::Status expiry_denial(const CommandContext& ctx, absl::Time expires_at,
                                                   absl::Time latest) {
  if (expires_at <= ctx.now) {
    return denial(Reason::kExpiryInPast, internal::cat("expiry ", time_str(expires_at),
                                                      " is not after now ", time_str(ctx.now)));
  }
  return denial(Reason::kExpiryTooLong,
                internal::cat("expiry ", time_str(expires_at), " is after ", time_str(latest), " (",
                             absl::FormatDuration(ctx.limits.reservation_expiry_max),
                             " after creation)"));
}

// A new expiry must lie in (now, created_at + reservation_expiry_max].
absl::Status check_expiry(const CommandContext& ctx, absl::Time created_at, absl::Time expires_at) {
  const absl::Time latest = created_at == ctx.now
                                ? ctx.latest_new_expiry
                                : created_at + ctx.limits.reservation_expiry_max;
  if (ABSL_PREDICT_FALSE(expires_at <= ctx.now || expires_at > latest)) {
    return expiry_denial(ctx, expires_at, latest);
  }
  return absl::OkStatus();
}

absl::Status account_not_found(AccountId id) {
  return denial(Reason::kAccountNotFound, internal::cat("account ", id.value()));
}

absl::Status check_key(std::string_view key) {
  if (key.empty() || key.size() > kEntryKeyBytesMax) {
    return denial(Reason::kInvalidArgument,
                  internal::cat("idempotency key must be 1..", kEntryKeyBytesMax, " bytes, got ",
                               key.size()));
  }
  return absl::OkStatus();
}

bool same_request(const ExternalEntry& a, const ExternalEntry& b) {
  return a.kind == b.kind && a.account == b.account && a.cash == b.cash && a.symbol == b.symbol &&
         a.qty == b.qty;
}

Position position_or_empty(const Txn& txn, AccountId account, SymbolId symbol) {
  if (const Position* p = txn.position(account, symbol)) return *p;
  return Position{.account = account, .symbol = symbol};
}

// Reserved notional of `qty` at `limit`; qty and limit are validated, so the
// product cannot leave int64 (order_qty_max x price_max / 1e4 ~ 1e11).
Cents held_notional(Qty qty, Price limit) {
  std::optional<Cents> cents = reserve_notional(qty, limit);
  ACCOUNT_CHECK(cents.has_value(), "validated order notional fits in int64");
  return *cents;
}

}  // namespace

absl::StatusOr<AccountId> stage_create_account(Txn& txn, const CommandContext& ctx,
                                               std::string_view google_id,
                                               std::string_view display_name) {
  if (google_id.empty() || google_id.size() > kGoogleIdBytesMax ||
      google_id.find('\0') != std::string_view::npos) {
    return denial(Reason::kInvalidArgument,
                  internal::cat("google id must be 1..", kGoogleIdBytesMax,
                               " bytes without NUL, got ", google_id.size(), " bytes"));
  }
  if (display_name.size() > kDisplayNameBytesMax ||
      display_name.find('\0') != std::string_view::npos) {
    return denial(Reason::kInvalidArgument,
                  internal::cat("display name must be at most ", kDisplayNameBytesMax,
                               " bytes without NUL, got ", display_name.size(), " bytes"));
  }
  // Find-or-create: sign-in calls this for every login, and a caller told
  // "unavailable" after an ambiguous commit learns its account by calling
  // again. The display name is Google's to change, so it is not compared.
  if (std::optional<AccountId> existing = txn.account_by_google_id(google_id)) return *existing;
  const AccountId id = txn.next_account_id();
  Account row{.id = id,
              .google_id = std::string(google_id),
              .display_name = std::string(display_name),
              .created_at = ctx.now};
  txn.add_event(AccountCreated{row});
  txn.create_account(std::move(row));
  return id;
}

namespace {
absl::Status check_sleeper_field(std::string_view name, std::string_view value) {
  if (value.empty() || value.size() > kSleeperFieldBytesMax ||
      value.find('\0') != std::string_view::npos) {
    return denial(Reason::kInvalidArgument,
                  internal::cat("sleeper ", name, " must be 1..", kSleeperFieldBytesMax,
                                " bytes without NUL, got ", value.size(), " bytes"));
  }
  return absl::OkStatus();
}
}  // namespace

absl::Status stage_link_sleeper(Txn& txn, AccountId account, const SleeperLink& link) {
  ACCOUNT_RETURN_IF_ERROR(check_sleeper_field("user id", link.user_id));
  ACCOUNT_RETURN_IF_ERROR(check_sleeper_field("username", link.username));
  ACCOUNT_RETURN_IF_ERROR(check_sleeper_field("league id", link.league_id));
  ACCOUNT_RETURN_IF_ERROR(check_sleeper_field("season", link.season));
  if (link.roster_id < 1) {
    return denial(Reason::kInvalidArgument,
                  internal::cat("sleeper roster id must be >= 1, got ", link.roster_id));
  }
  if (!txn.account(account)) return account_not_found(account);
  // The link held already (a retry): OK, and nothing to write.
  if (const SleeperLink* held = txn.sleeper_link(account); held != nullptr && *held == link) {
    return absl::OkStatus();
  }
  // Sleeper's API is public: nothing proves the caller is the Sleeper user.
  // One roster and one Sleeper user funding one account at most bounds what
  // a claim on someone else's season, or a second Google account, can take.
  if (txn.sleeper_link_holder(account, link).has_value()) {
    return denial(Reason::kSleeperLinkTaken,
                  internal::cat("Sleeper user ", link.user_id, " or roster ", link.roster_id,
                                " of league ", link.league_id,
                                " is linked to another account; each funds one account"));
  }
  // What funded an account stays with it after it relinks: else the season
  // would pay again into the next account to link it.
  if (std::optional<AccountId> holder = txn.sleeper_funded_holder(account, link)) {
    return denial(Reason::kSleeperLinkTaken,
                  internal::cat("Sleeper user ", link.user_id, "'s season ", link.season,
                                " or roster ", link.roster_id, " of league ", link.league_id,
                                " funded account ", holder->value(),
                                "; a season funds one account"));
  }
  txn.link_sleeper(account, link);
  txn.add_event(SleeperLinkChanged{account, link});
  return absl::OkStatus();
}

namespace {

std::string link_text(const SleeperLink& link) {
  return internal::cat("Sleeper user ", link.user_id, ", roster ", link.roster_id, " of league ",
                       link.league_id, ", season ", link.season);
}

// A fantasy run's key (fantasy_funding.h): one entry per account, season and
// revision, whatever its source, and a source that the account links now,
// which the entry then holds for the account (docs/sleeper.md).
absl::Status check_fantasy_key(const Txn& txn, const ExternalEntry& entry) {
  const std::optional<FantasyEntryKey> key = parse_fantasy_entry_key(entry.key);
  if (!key) return absl::OkStatus();  // An operator's key: no revision, no source.
  if (key->account != entry.account) {
    return denial(Reason::kInvalidArgument,
                  internal::cat("fantasy entry '", entry.key, "' names account ",
                               key->account.value(), ", not ", entry.account.value()));
  }
  if (const std::string* prior = txn.fantasy_revision(key->revision_key())) {
    return denial(Reason::kEntryConflict,
                  internal::cat("revision ", key->revision, " of account ",
                               entry.account.value(), "'s fantasy season ", key->season,
                               " was applied as '", *prior, "'"));
  }
  if (!key->source) return absl::OkStatus();
  const SleeperLink& source = *key->source;
  const SleeperLink* now = txn.sleeper_link(entry.account);
  if (now == nullptr || now->user_id != source.user_id || now->league_id != source.league_id ||
      now->roster_id != source.roster_id || now->season != source.season) {
    return denial(Reason::kSleeperLinkChanged,
                  internal::cat("fantasy entry '", entry.key, "' comes from ", link_text(source),
                               "; account ", entry.account.value(), " links ",
                               now == nullptr ? std::string("nothing") : link_text(*now),
                               " now"));
  }
  if (std::optional<AccountId> holder = txn.sleeper_funded_holder(entry.account, source)) {
    return denial(Reason::kSleeperLinkTaken,
                  internal::cat(link_text(source), " funded account ", holder->value(),
                               " already; a season funds one account"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status stage_entry(Txn& txn, const CommandContext& ctx, ExternalEntry entry) {
  const bool shares = entry.kind == EntryKind::kShareIssue;
  if (shares) {
    if (entry.qty.value() <= 0 || entry.qty > ctx.limits.entry_qty_max) {
      return denial(Reason::kInvalidQuantity,
                    internal::cat("share issue of ", entry.qty.value(), " bp is outside 1..",
                                 ctx.limits.entry_qty_max.value(), " bp"));
    }
  } else if (entry.cash.value() == 0 || entry.cash > ctx.limits.entry_cash_max ||
             entry.cash < -ctx.limits.entry_cash_max) {
    return denial(Reason::kInvalidAmount,
                  internal::cat("amount ", entry.cash.value() < 0 ? -entry.cash.value()
                                                                : entry.cash.value(),
                               " cents is outside 1..", ctx.limits.entry_cash_max.value(),
                               " cents"));
  }
  ACCOUNT_RETURN_IF_ERROR(check_key(entry.key));
  const std::optional<AccountFigures> acct = txn.account(entry.account);
  if (!acct) return account_not_found(entry.account);
  if (const ExternalEntry* prior = txn.entry(entry.key)) {
    if (same_request(*prior, entry)) {
      return denial(Reason::kDuplicateEntry,
                    internal::cat("entry '", entry.key, "' was applied at ", time_str(prior->time)));
    }
    return denial(Reason::kEntryConflict,
                  internal::cat("entry '", entry.key, "' was applied with other fields (",
                               entry_kind_name(prior->kind), " account ",
                               prior->account.value(), " cash ", prior->cash.value(), " qty ",
                               prior->qty.value(), ")"));
  }
  if (entry.kind == EntryKind::kFantasyCredit) ACCOUNT_RETURN_IF_ERROR(check_fantasy_key(txn, entry));
  entry.time = ctx.now;
  if (shares) {
    Position p = position_or_empty(txn, entry.account, entry.symbol);
    std::optional<Qty> qty = checked_add(p.qty, entry.qty);
    if (!qty) return denial(Reason::kOverflow, "position quantity would overflow");
    p.qty = *qty;
    txn.put_position(p);
    txn.add_event(EntryApplied{.entry = entry, .cash_after = acct->cash, .position_after = p});
  } else {
    if (entry.cash.value() < 0 && acct->available_cash() < -entry.cash) {
      return denial(Reason::kInsufficientFunds,
                    internal::cat("required ", -entry.cash.value(), " cents, available ",
                                 acct->available_cash().value(), " cents"));
    }
    std::optional<Cents> cash = checked_add(acct->cash, entry.cash);
    if (!cash) return denial(Reason::kOverflow, "cash would overflow");
    txn.mutable_account(entry.account)->cash = *cash;
    txn.add_event(EntryApplied{.entry = entry, .cash_after = *cash});
  }
  txn.add_entry(std::move(entry));
  return absl::OkStatus();
}

namespace {

// The answer to a reservation request whose order id already has `existing`:
// its id when the request is the one that made it (a retry), whatever its
// status now, else kOrderConflict naming the first field that differs. An
// explicit expiry is compared with the reservation's current one, so a
// retry after an extension must leave the expiry out (or give the new one).
ABSL_ATTRIBUTE_NOINLINE absl::StatusOr<ReservationId> same_order(const Reservation& existing,
                                                                 const OrderSpec& order,
                                                                 Side side) {
  const auto conflict = [&](std::string_view field, auto held, auto asked) {
    return denial(Reason::kOrderConflict,
                  internal::cat("order ", order.order.value(), " already has reservation ",
                               existing.id.value(), " with ", field, " ", held, ", not ", asked,
                               "; nothing changed"));
  };
  if (existing.account != order.account) {
    return conflict("account", existing.account.value(), order.account.value());
  }
  if (existing.side != side) return conflict("side", side_name(existing.side), side_name(side));
  if (existing.symbol != order.symbol) {
    return conflict("symbol", existing.symbol.value(), order.symbol.value());
  }
  if (existing.order_qty != order.qty) {
    return conflict("quantity (bp)", existing.order_qty.value(), order.qty.value());
  }
  if (existing.limit != order.limit) {
    return conflict("limit (cents)", existing.limit.cents_per_share(),
                    order.limit.cents_per_share());
  }
  if (order.expires_at.has_value() && *order.expires_at != existing.expires_at) {
    return conflict("expiry", time_str(existing.expires_at), time_str(*order.expires_at));
  }
  return existing.id;
}

}  // namespace

absl::StatusOr<ReservationId> stage_reserve(Txn& txn, const CommandContext& ctx,
                                            const OrderSpec& order, Side side) {
  if (!order.order.valid()) return denial(Reason::kInvalidArgument, "order id 0");
  ACCOUNT_RETURN_IF_ERROR(check_qty(ctx.limits, order.qty));
  ACCOUNT_RETURN_IF_ERROR(check_price(ctx.limits, order.limit));
  // The order id is the command's key: a retry is answered before the
  // checks that time alone could change (an expiry now past), so that it
  // gets the first answer whatever happened since.
  if (const Reservation* existing = txn.reservation_of_order(order.order)) {
    return same_order(*existing, order, side);
  }
  const absl::Time expires_at = order.expires_at.value_or(ctx.default_expiry);
  ACCOUNT_RETURN_IF_ERROR(check_expiry(ctx, ctx.now, expires_at));
  const std::optional<AccountFigures> acct = txn.account(order.account);
  if (!acct) return account_not_found(order.account);
  const Cents notional = held_notional(order.qty, order.limit);
  const Position* staged = txn.position(order.account, order.symbol);
  const Position p = staged != nullptr ? *staged
                                       : Position{.account = order.account, .symbol = order.symbol};
  if (side == Side::kBuy) {
    if (acct->available_cash() < notional) {
      return denial(Reason::kInsufficientFunds,
                    internal::cat("required ", notional.value(), " cents, available ",
                                 acct->available_cash().value(), " cents"));
    }
    const Qty exposure = p.qty + p.buy_pending_qty + order.qty;
    if (exposure > ctx.limits.position_cap_qty) {
      return denial(Reason::kPositionLimitExceeded,
                    internal::cat("position ", p.qty.value(), " bp + open buys ",
                                 p.buy_pending_qty.value(), " bp + order ", order.qty.value(),
                                 " bp exceeds the cap of ", ctx.limits.position_cap_qty.value(),
                                 " bp"));
    }
  } else if (p.available_qty() < order.qty) {
    return denial(Reason::kInsufficientPosition,
                  internal::cat("required ", order.qty.value(), " bp, available ",
                               p.available_qty().value(), " bp"));
  }
  if (acct->open_notional + notional > ctx.limits.open_notional_cap) {
    return denial(Reason::kOpenNotionalLimitExceeded,
                  internal::cat("open notional ", acct->open_notional.value(), " cents + order ",
                               notional.value(), " cents exceeds the cap of ",
                               ctx.limits.open_notional_cap.value(), " cents"));
  }
  const ReservationId id = txn.next_reservation_id();
  AccountFigures* next = txn.mutable_account(order.account);
  next->open_notional += notional;
  Position* next_pos = txn.mutable_position(order.account, order.symbol);
  if (side == Side::kBuy) {
    next->reserved_cash += notional;
    next_pos->buy_pending_qty += order.qty;
  } else {
    next_pos->sell_reserved_qty += order.qty;
  }
  const Reservation row{.id = id,
                        .account = order.account,
                        .order = order.order,
                        .symbol = order.symbol,
                        .side = side,
                        .limit = order.limit,
                        .order_qty = order.qty,
                        .remaining_qty = order.qty,
                        .reserved_cash = side == Side::kBuy ? notional : Cents{0},
                        .created_at = ctx.now,
                        .expires_at = expires_at,
                        .updated_at = ctx.now,
                        .status = ReservationStatus::kActive};
  txn.put_reservation(row);
  txn.add_event(ReservationCreated{row});
  return id;
}

absl::Status stage_extend(Txn& txn, const CommandContext& ctx, ReservationId id,
                          absl::Time expires_at) {
  const Reservation* r = txn.reservation(id);
  if (r == nullptr) {
    return denial(Reason::kReservationNotFound, internal::cat("reservation ", id.value()));
  }
  // Already there (a retry): OK, and nothing to write.
  if (r->active() && r->expires_at == expires_at) return absl::OkStatus();
  if (!r->active()) {
    return denial(Reason::kReservationNotActive,
                  internal::cat("reservation ", id.value(), " is ",
                               reservation_status_name(r->status)));
  }
  ACCOUNT_RETURN_IF_ERROR(check_expiry(ctx, r->created_at, expires_at));
  Reservation next = *r;
  next.expires_at = expires_at;
  next.updated_at = ctx.now;
  txn.put_reservation(next);
  txn.add_event(ReservationChanged{.change = ReservationChange::kExtended, .reservation = next});
  return absl::OkStatus();
}

namespace {
bool ended_by_owner(ReservationStatus status) {
  return status == ReservationStatus::kCancelled || status == ReservationStatus::kReleased;
}

// The journal's name for ending a reservation as `to`.
ReservationChange finish_change(ReservationStatus to) {
  switch (to) {
    case ReservationStatus::kExpired:
      return ReservationChange::kExpired;
    case ReservationStatus::kCancelled:
      return ReservationChange::kCancelled;
    case ReservationStatus::kReleased:
      return ReservationChange::kReleased;
    case ReservationStatus::kActive:
    case ReservationStatus::kSettled:
      break;
  }
  ACCOUNT_CHECK(false, "a reservation is finished as expired, cancelled or released");
  return ReservationChange::kReleased;
}
}  // namespace

absl::Status stage_finish(Txn& txn, const CommandContext& ctx, ReservationId id,
                          ReservationStatus to) {
  const Reservation* r = txn.reservation(id);
  if (r == nullptr) {
    return denial(Reason::kReservationNotFound, internal::cat("reservation ", id.value()));
  }
  if (!r->active()) {
    // The owner ended it already (a retry, or the engine's release crossing
    // the user's cancel): the state asked for holds, nothing is held.
    if (to != ReservationStatus::kExpired && ended_by_owner(r->status)) return absl::OkStatus();
    return denial(Reason::kReservationNotActive,
                  internal::cat("reservation ", id.value(), " of order ", r->order.value(), " is ",
                               reservation_status_name(r->status)));
  }
  // Nothing below writes the overlay's reservations before `r` becomes
  // `next`, so `r` stays valid until then.
  Position* p = txn.mutable_position(r->account, r->symbol);
  AccountFigures* acct = txn.mutable_account(r->account);
  acct->open_notional -= r->open_notional();
  if (r->side == Side::kBuy) {
    acct->reserved_cash -= r->reserved_cash;
    p->buy_pending_qty -= r->remaining_qty;
  } else {
    p->sell_reserved_qty -= r->remaining_qty;
  }
  const Cents cash_freed = r->reserved_cash;
  const Qty qty_freed = r->remaining_qty;
  Reservation* next = txn.mutable_reservation(*r);
  next->status = to;
  next->reserved_cash = Cents{0};
  next->updated_at = ctx.now;
  txn.add_event(ReservationChanged{.change = finish_change(to),
                                   .reservation = *next,
                                   .cash_freed = cash_freed,
                                   .qty_freed = qty_freed});
  return absl::OkStatus();
}

namespace {

// Looks up and checks the reservation a fill leg draws on.
absl::StatusOr<const Reservation*> fill_leg(const Txn& txn, const Fill& fill,
                                            const FillParty& party, Side side) {
  const std::string_view who = side == Side::kBuy ? "buy" : "sell";
  const Reservation* r = txn.reservation_of_order(party.order);
  if (r == nullptr || r->account != party.account) {
    return denial(Reason::kReservationNotFound,
                  internal::cat("no reservation for ", who, " order ", party.order.value(),
                               " of account ", party.account.value()));
  }
  if (!r->active()) {
    return denial(Reason::kReservationNotActive,
                  internal::cat(who, " order ", party.order.value(), " is ",
                               reservation_status_name(r->status)));
  }
  if (r->side != side) {
    return denial(Reason::kWrongSide, internal::cat("order ", party.order.value(), " is a ",
                                                   side_name(r->side), " order, not ",
                                                   side_name(side)));
  }
  if (r->symbol != fill.symbol) {
    return denial(Reason::kSymbolMismatch,
                  internal::cat(who, " order ", party.order.value(), " is for symbol ",
                               r->symbol.value(), ", the fill for ", fill.symbol.value()));
  }
  const bool outside = side == Side::kBuy ? fill.price > r->limit : fill.price < r->limit;
  if (outside) {
    return denial(Reason::kPriceOutsideLimit,
                  internal::cat("fill price ", fill.price.cents_per_share(), " cents vs ", who,
                               " limit ", r->limit.cents_per_share(), " cents"));
  }
  if (fill.qty > r->remaining_qty) {
    return denial(Reason::kFillExceedsReservation,
                  internal::cat("fill ", fill.qty.value(), " bp, ", who, " order ",
                               party.order.value(), " has ", r->remaining_qty.value(),
                               " bp unfilled"));
  }
  return r;
}

absl::Status check_duplicate(const Fill& prior, const Fill& fill) {
  if (prior == fill) {
    return denial(Reason::kDuplicateExecution,
                  internal::cat("execution ", fill.execution.value(), " was applied"));
  }
  return denial(Reason::kExecutionConflict,
                internal::cat("execution ", fill.execution.value(),
                             " was applied with other fields (symbol ", prior.symbol.value(),
                             " qty ", prior.qty.value(), " bp price ",
                             prior.price.cents_per_share(), " cents buyer ",
                             prior.buyer.account.value(), "/", prior.buyer.order.value(),
                             " seller ", prior.seller.account.value(), "/",
                             prior.seller.order.value(), " tick ", prior.tick.value(), " time ",
                             time_str(prior.time), ")"));
}

// Asks the store whether it applied `fill`'s execution id.
absl::Status check_store(const CommandContext& ctx, const Fill& fill) {
  absl::StatusOr<std::optional<Fill>> stored = ctx.store.find_execution(fill.execution);
  // Passed on as it is: the ledger stops writing (writer_fencing.h).
  if (is_writer_fenced(stored.status())) return stored.status();
  if (!stored.ok()) {
    return denial(Reason::kStoreUnavailable,
                  internal::cat("dedupe lookup of execution ", fill.execution.value(),
                                " failed: ", stored.status().message()));
  }
  if (stored->has_value()) return check_duplicate(**stored, fill);
  return absl::OkStatus();
}

// Whether memory alone can tell that `fill` was not applied before.
bool memory_decides(const Txn& txn, const CommandContext& ctx, const Fill& fill) {
  return !ctx.dedupe_in_store && fill.time >= txn.base().execution_window_start();
}

absl::Status check_not_applied(const Txn& txn, const CommandContext& ctx, const Fill& fill) {
  if (const Fill* prior = txn.execution(fill.execution)) return check_duplicate(*prior, fill);
  if (memory_decides(txn, ctx, fill)) return absl::OkStatus();
  return check_store(ctx, fill);  // Older than the in-memory window: only the store can say.
}

// Validates the accounts and both legs (the buyer's fully, then the seller's).
absl::Status check_legs(const Txn& txn, const Fill& fill, const Reservation** buy,
                        const Reservation** sell) {
  if (fill.buyer.account == fill.seller.account) {
    return denial(Reason::kSelfTrade,
                  internal::cat("buyer and seller are both account ", fill.buyer.account.value()));
  }
  for (AccountId id : {fill.buyer.account, fill.seller.account}) {
    if (!txn.account(id)) return account_not_found(id);
  }
  ACCOUNT_ASSIGN_OR_RETURN(*buy, fill_leg(txn, fill, fill.buyer, Side::kBuy));
  ACCOUNT_ASSIGN_OR_RETURN(*sell, fill_leg(txn, fill, fill.seller, Side::kSell));
  return absl::OkStatus();
}

// The cost basis that selling `qty` of `p` removes: cost_basis * qty / p.qty,
// truncated. In 64 bits when the product fits (every realistic position; the
// 128-bit division is a library call), else in 128: the same quotient.
Cents removed_cost_basis(const Position& p, Qty qty) {
  if (int64_t product = 0; !__builtin_mul_overflow(p.cost_basis.value(), qty.value(), &product)) {
    return Cents{product / p.qty.value()};
  }
  const internal::Int128 wide =
      static_cast<internal::Int128>(p.cost_basis.value()) * qty.value() / p.qty.value();
  return Cents{static_cast<int64_t>(wide)};
}

// A fill leaves `left` of the reservation's order unfilled.
void fill_reservation(Reservation& r, Qty left, absl::Time now) {
  r.remaining_qty = left;
  r.updated_at = now;
  if (left.value() == 0) r.status = ReservationStatus::kSettled;
}

}  // namespace

absl::StatusOr<SettlementReceipt> stage_settle(Txn& txn, const CommandContext& ctx,
                                               const Fill& fill) {
  if (!fill.execution.valid()) return denial(Reason::kInvalidArgument, "execution id 0");
  ACCOUNT_RETURN_IF_ERROR(check_qty(ctx.limits, fill.qty));
  ACCOUNT_RETURN_IF_ERROR(check_price(ctx.limits, fill.price));
  ACCOUNT_RETURN_IF_ERROR(check_not_applied(txn, ctx, fill));
  // After the duplicate check: a redelivery is a duplicate whatever the
  // clocks say. Transient: the trade happened, and the same fill is taken
  // once the ledger's clock is within fill_time_ahead_max of its time.
  if (fill.time > ctx.now + ctx.limits.fill_time_ahead_max) {
    return denial(Reason::kFillTimeAhead,
                  internal::cat("execution ", fill.execution.value(), " is stamped ",
                                time_str(fill.time), ", more than ",
                                absl::FormatDuration(ctx.limits.fill_time_ahead_max),
                                " ahead of the ledger's clock (", time_str(ctx.now),
                                "); hand it in again from ",
                                time_str(fill.time - ctx.limits.fill_time_ahead_max)));
  }
  const Reservation* buy = nullptr;
  const Reservation* sell = nullptr;
  if (absl::Status legs = check_legs(txn, fill, &buy, &sell); !legs.ok()) {
    // A redelivery restamped with a new time, whose id memory has already
    // forgotten, looks like a new fill that fails (its orders are finished).
    // A refusal is rare, so asking the store here costs the hot path nothing.
    if (memory_decides(txn, ctx, fill) && txn.base().forgot_executions()) {
      ACCOUNT_RETURN_IF_ERROR(check_store(ctx, fill));
    }
    return legs;
  }

  // Every check passed. `buy` and `sell` may point into the overlay, which
  // the writes below move: take what is needed from them first. Both are
  // active, so each holds reserve_notional(remaining, limit) of open notional.
  const Cents notional = *fill_notional(fill.qty, fill.price);
  const ReservationId buy_id = buy->id;
  const ReservationId sell_id = sell->id;
  const Qty buy_left = buy->remaining_qty - fill.qty;
  const Qty sell_left = sell->remaining_qty - fill.qty;
  const Cents buy_held = held_notional(buy_left, buy->limit);
  // The reservation held ceil(R*L); it now holds ceil((R-q)*L). The difference
  // is >= floor(q*L) >= floor(q*P) = notional, so the buyer can always pay.
  const Cents buy_freed = buy->reserved_cash - buy_held;
  ACCOUNT_CHECK(buy_freed >= notional, "buy reservation covers the fill");
  const Cents buyer_open_freed = held_notional(buy->remaining_qty, buy->limit) - buy_held;
  const Cents seller_open_freed = held_notional(sell->remaining_qty, sell->limit) -
                                  held_notional(sell_left, sell->limit);

  Reservation* buy_next = txn.mutable_reservation(buy_id);
  fill_reservation(*buy_next, buy_left, ctx.now);
  buy_next->reserved_cash = buy_held;
  fill_reservation(*txn.mutable_reservation(sell_id), sell_left, ctx.now);

  Position* buyer_pos = txn.mutable_position(fill.buyer.account, fill.symbol);
  buyer_pos->qty += fill.qty;
  buyer_pos->cost_basis += notional;
  buyer_pos->buy_pending_qty -= fill.qty;
  Position* seller_pos = txn.mutable_position(fill.seller.account, fill.symbol);
  ACCOUNT_CHECK(seller_pos->qty >= fill.qty, "sell reservation is backed by shares");
  const Cents removed_cost = removed_cost_basis(*seller_pos, fill.qty);
  const Cents realized = notional - removed_cost;
  seller_pos->qty -= fill.qty;
  seller_pos->cost_basis -= removed_cost;
  seller_pos->realized_pnl += realized;
  seller_pos->sell_reserved_qty -= fill.qty;

  AccountFigures* buyer = txn.mutable_account(fill.buyer.account);
  buyer->cash -= notional;
  buyer->reserved_cash -= buy_freed;
  buyer->open_notional -= buyer_open_freed;
  AccountFigures* seller = txn.mutable_account(fill.seller.account);
  seller->cash += notional;
  seller->open_notional -= seller_open_freed;
  // The writes above may have moved the positions' and reservations' overlay rows: look
  // them up again for the events.
  if (txn.journal_on()) {
    txn.add_event(FillApplied{
        .fill = fill,
        .buyer = FillLeg{.cash_after = txn.account(fill.buyer.account)->cash,
                         .position_after = *txn.position(fill.buyer.account, fill.symbol),
                         .realized_pnl = Cents{0}},
        .seller = FillLeg{.cash_after = seller->cash,
                          .position_after = *txn.position(fill.seller.account, fill.symbol),
                          .realized_pnl = realized}});
    txn.add_event(ReservationChanged{
        .change = buy_left.value() == 0 ? ReservationChange::kSettled
                                        : ReservationChange::kPartlySettled,
        .reservation = *txn.reservation(buy_id),
        .cash_freed = buy_freed,
        .qty_freed = fill.qty});
    txn.add_event(ReservationChanged{
        .change = sell_left.value() == 0 ? ReservationChange::kSettled
                                         : ReservationChange::kPartlySettled,
        .reservation = *txn.reservation(sell_id),
        .qty_freed = fill.qty});
  }
  txn.add_execution(fill);
  txn.add_trade(fill_trade(fill, Side::kBuy, notional, Cents{0}));
  txn.add_trade(fill_trade(fill, Side::kSell, notional, realized));
  return SettlementReceipt{.execution = fill.execution,
                           .notional = notional,
                           .buyer_cash_freed = buy_freed - notional,
                           .seller_realized_pnl = realized,
                           .buyer_order_done = buy_left.value() == 0,
                           .seller_order_done = sell_left.value() == 0};
}

std::vector<ExpiredOrder> stage_expire_due(Txn& txn, const CommandContext& ctx,
                                           absl::FunctionRef<bool(OrderId)> held) {
  std::vector<ExpiredOrder> expired;
  txn.base().expiry_queue().for_each_due(ctx.now, [&](const ExpiryQueue::Entry& entry) {
    const Reservation* r = txn.reservation(entry.reservation);
    // Only the entry of the reservation's current expiry counts: it may have
    // finished or been extended since the entry was pushed, also earlier in
    // this batch.
    if (r == nullptr || !r->active() || r->expires_at != entry.expires_at) return;
    if (held(r->order)) return;
    const ExpiredOrder order{r->account, r->order, r->id};
    if (stage_finish(txn, ctx, r->id, ReservationStatus::kExpired).ok()) expired.push_back(order);
  });
  return expired;
}

}  // namespace account::internal
