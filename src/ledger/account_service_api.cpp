// AccountService's public API: each method hands its call to the
// implementation (account_service_impl.h), which holds every piece of state.
#include <memory>
#include <utility>

#include "account/account_service.h"
#include "account/status.h"
#include "ledger/account_service_impl.h"

namespace account {

absl::StatusOr<std::unique_ptr<AccountService>> AccountService::open(
    AccountServiceOptions options) {
  if (options.store == nullptr) {
    return denial(Reason::kInvalidArgument,
                  "no store: give a durable one (account::stores::open_store) or, for tests and "
                  "runs that may forget everything, a MemoryStore");
  }
  if (absl::Status valid = validate_limits(options.limits); !valid.ok()) return valid;
  auto impl = std::make_unique<Impl>(std::move(options));
  if (absl::Status started = impl->start(); !started.ok()) return started;
  return std::unique_ptr<AccountService>(new AccountService(std::move(impl)));
}

AccountService::AccountService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AccountService::~AccountService() = default;

absl::StatusOr<AccountId> AccountService::create_account(std::string_view google_id,
                                                         std::string_view display_name) {
  return impl_->create_account(google_id, display_name);
}
absl::StatusOr<AccountId> AccountService::get_account_id_by_user_id(
    std::string_view google_id) const {
  return impl_->get_account_id_by_user_id(google_id);
}
absl::Status AccountService::link_sleeper(AccountId account, const SleeperLink& link) {
  return impl_->link_sleeper(account, link);
}
absl::Status AccountService::credit(AccountId account, Cents amount, EntryKind kind,
                                    std::string_view key) {
  return impl_->credit(account, amount, kind, key);
}
absl::Status AccountService::debit(AccountId account, Cents amount, EntryKind kind,
                                   std::string_view key) {
  return impl_->debit(account, amount, kind, key);
}
absl::Status AccountService::issue_shares(AccountId account, SymbolId symbol, Qty qty,
                                          std::string_view key) {
  return impl_->issue_shares(account, symbol, qty, key);
}
absl::StatusOr<ReservationId> AccountService::reserve_buy(const OrderSpec& order) {
  return impl_->reserve_buy(order);
}
absl::StatusOr<ReservationId> AccountService::reserve_sell(const OrderSpec& order) {
  return impl_->reserve_sell(order);
}
std::vector<absl::StatusOr<ReservationId>> AccountService::reserve_batch(
    absl::Span<const OrderSpec> orders, Side side) {
  return impl_->reserve_batch(orders, side);
}
absl::Status AccountService::extend_reservation(ReservationId reservation, absl::Time expires_at) {
  return impl_->extend_reservation(reservation, expires_at);
}
absl::Status AccountService::cancel_order(OrderId order) { return impl_->cancel_order(order); }
absl::Status AccountService::release_reservation(ReservationId reservation) {
  return impl_->release_reservation(reservation);
}
std::vector<absl::Status> AccountService::release_batch(
    absl::Span<const ReservationId> reservations) {
  return impl_->release_batch(reservations);
}
absl::StatusOr<size_t> AccountService::expire_due_reservations() {
  return impl_->expire_due_reservations();
}
absl::StatusOr<std::vector<Reservation>> AccountService::expired_reservations_since(
    absl::Time since) const {
  return impl_->expired_reservations_since(since);
}
absl::StatusOr<SettlementReceipt> AccountService::settle(const Fill& fill) {
  return impl_->settle(fill);
}
std::vector<absl::StatusOr<SettlementReceipt>> AccountService::settle_batch(
    absl::Span<const Fill> fills) {
  return impl_->settle_batch(fills);
}
absl::StatusOr<Account> AccountService::get_account(AccountId account) const {
  return impl_->get_account(account);
}
absl::StatusOr<Cents> AccountService::cash(AccountId account) const {
  return impl_->cash(account);
}
absl::StatusOr<Cents> AccountService::available_cash(AccountId account) const {
  return impl_->available_cash(account);
}
absl::StatusOr<std::vector<Position>> AccountService::positions(AccountId account) const {
  return impl_->positions(account);
}
absl::StatusOr<std::optional<Position>> AccountService::position(AccountId account,
                                                                 SymbolId symbol) const {
  return impl_->position(account, symbol);
}
absl::StatusOr<std::vector<Reservation>> AccountService::active_reservations(
    AccountId account) const {
  return impl_->active_reservations(account);
}
absl::StatusOr<Reservation> AccountService::reservation(ReservationId reservation) const {
  return impl_->reservation(reservation);
}
absl::StatusOr<Reservation> AccountService::reservation_for_order(OrderId order) const {
  return impl_->reservation_for_order(order);
}
absl::StatusOr<std::vector<Trade>> AccountService::trade_history(AccountId account,
                                                                 size_t limit) const {
  return impl_->trade_history(account, limit);
}
absl::StatusOr<std::vector<ExternalEntry>> AccountService::external_entries(
    AccountId account) const {
  return impl_->external_entries(account);
}
std::vector<Account> AccountService::sleeper_linked_accounts() const {
  return impl_->sleeper_linked_accounts();
}
size_t AccountService::account_count() const { return impl_->account_count(); }
size_t AccountService::queued_fills() const { return impl_->queued_fills(); }
bool AccountService::store_up() const { return impl_->store_up(); }
bool AccountService::writer_fenced() const { return impl_->writer_fenced(); }
absl::Status AccountService::end_of_tick(TickId tick) { return impl_->end_of_tick(tick); }
RiskCache& AccountService::risk_cache() { return impl_->risk_cache(); }
MetricsRegistry& AccountService::metrics() { return impl_->metrics(); }
AuditReport AccountService::audit() { return impl_->audit(); }
LedgerSnapshot AccountService::snapshot() const { return impl_->snapshot(); }

absl::StatusOr<std::vector<JournalEntry>> AccountService::events_since(uint64_t after_seq,
                                                                       size_t max_events) const {
  return impl_->events_since(after_seq, max_events);
}

uint64_t AccountService::journal_head() const { return impl_->journal_head(); }

StateHash AccountService::state_hash() const { return impl_->state_hash(); }

absl::StatusOr<JournalPruneResult> AccountService::prune_journal(
    const JournalPruneRequest& request) {
  return impl_->prune_journal(request);
}

absl::StatusOr<AccountBalance> AccountService::balance_at(AccountId account,
                                                          absl::Time time) const {
  return impl_->balance_at(account, time);
}

bool AccountService::await_notices(absl::Duration timeout) const {
  return impl_->await_notices(timeout);
}
const LedgerLimits& AccountService::limits() const { return impl_->limits(); }
absl::Time AccountService::now() const { return impl_->now(); }

}  // namespace account
