// Private to the library: the ledger's commands. Each validates fully against
// a Txn, in the precedence order documented on AccountService, and stages its
// row images only when every check passed. None touches the committed state.
#pragma once

#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "account/external_entry.h"
#include "account/fill.h"
#include "account/limits.h"
#include "account/order_spec.h"
#include "account/reservation.h"
#include "account/sleeper_account_link.h"
#include "account/settlement_receipt.h"
#include "account/store.h"
#include "ledger/ledger_state.h"
#include "ledger/txn.h"

namespace account::internal {

struct CommandContext {
  const LedgerLimits& limits;
  absl::Time now;
  Store& store;  // For dedupe of executions older than the in-memory window.
  // Ask the store about every execution id memory does not know, not only
  // those of fills older than the window: set when the store refused a commit
  // for an execution id memory had forgotten (a redelivery with a new time).
  bool dedupe_in_store = false;
  // A new order's default expiry and its latest allowed one, computed once
  // per batch by command_context() rather than per order (absl's
  // Time + Duration is a library call).
  absl::Time default_expiry;
  absl::Time latest_new_expiry;
};

inline CommandContext command_context(const LedgerLimits& limits, absl::Time now, Store& store,
                                      bool dedupe_in_store) {
  return CommandContext{.limits = limits,
                        .now = now,
                        .store = store,
                        .dedupe_in_store = dedupe_in_store,
                        .default_expiry = now + limits.reservation_expiry_default,
                        .latest_new_expiry = now + limits.reservation_expiry_max};
}

struct ExpiredOrder {
  AccountId account;
  OrderId order;
  ReservationId reservation;
};

absl::StatusOr<AccountId> stage_create_account(Txn& txn, const CommandContext& ctx,
                                               std::string_view google_id,
                                               std::string_view display_name);

// Sets the account's Sleeper link (replacing any). Denials: kInvalidArgument
// (a text field empty, over kSleeperFieldBytesMax bytes or with NUL; roster
// id below 1), kAccountNotFound.
absl::Status stage_link_sleeper(Txn& txn, AccountId account, const SleeperLink& link);

// Credit (entry.cash > 0), debit (entry.cash < 0) or share issue (kShareIssue).
// `entry.time` is set from ctx.now.
absl::Status stage_entry(Txn& txn, const CommandContext& ctx, ExternalEntry entry);

absl::StatusOr<ReservationId> stage_reserve(Txn& txn, const CommandContext& ctx,
                                            const OrderSpec& order, Side side);

absl::Status stage_extend(Txn& txn, const CommandContext& ctx, ReservationId id,
                          absl::Time expires_at);

// Ends an active reservation as kCancelled, kReleased or kExpired, freeing
// what it held.
absl::Status stage_finish(Txn& txn, const CommandContext& ctx, ReservationId id,
                          ReservationStatus to);

absl::StatusOr<SettlementReceipt> stage_settle(Txn& txn, const CommandContext& ctx,
                                               const Fill& fill);

// Expires every active reservation due at ctx.now, except those whose order
// `held(order)` says must wait (it has fills queued for the store).
std::vector<ExpiredOrder> stage_expire_due(Txn& txn, const CommandContext& ctx,
                                           absl::FunctionRef<bool(OrderId)> held);

}  // namespace account::internal
