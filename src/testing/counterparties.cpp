// Counterparties (testing/counterparties.h): two accounts set up to trade through the service.
#include "account/testing/counterparties.h"

#include <optional>
#include <string>

#include "account/external_entry.h"
#include "account/notional.h"
#include "account/status.h"

namespace account::testing {

absl::StatusOr<Counterparties> Counterparties::open(AccountService& service,
                                                    CounterpartiesOptions options) {
  const std::string& name = options.name;
  ACCOUNT_ASSIGN_OR_RETURN(const AccountId buyer,
                           service.create_account(name + "-buyer", name + " buyer"));
  ACCOUNT_ASSIGN_OR_RETURN(const AccountId seller,
                           service.create_account(name + "-seller", name + " seller"));
  const OrderSpec buy{.account = buyer,
                      .order = options.buy_order,
                      .symbol = options.symbol,
                      .qty = options.qty,
                      .limit = options.buy_limit};
  const OrderSpec sell{.account = seller,
                       .order = options.sell_order,
                       .symbol = options.symbol,
                       .qty = options.qty,
                       .limit = options.sell_limit};
  const std::optional<Cents> held = reserve_notional(options.qty, options.buy_limit);
  if (!held) return absl::InvalidArgumentError("Counterparties: qty x buy_limit overflows");
  const Cents cash = options.buyer_cash.value_or(*held);
  if (cash > Cents{0}) {
    ACCOUNT_RETURN_IF_ERROR(
        service.credit(buyer, cash, EntryKind::kAdjustment, name + "-buyer-cash"));
  }
  ACCOUNT_RETURN_IF_ERROR(
      service.issue_shares(seller, options.symbol, options.qty, name + "-seller-shares"));
  ACCOUNT_RETURN_IF_ERROR(service.reserve_buy(buy).status());
  ACCOUNT_RETURN_IF_ERROR(service.reserve_sell(sell).status());
  return Counterparties(&service, options, buy, sell);
}

Counterparties::Counterparties(const AccountService* service, const CounterpartiesOptions& options,
                               OrderSpec buy, OrderSpec sell)
    : service_(service),
      clock_(options.clock),
      fill_qty_(options.fill_qty),
      buy_(buy),
      sell_(sell),
      next_execution_(options.first_execution.value()) {}

Fill Counterparties::fill() { return fill(fill_qty_, sell_.limit); }

Fill Counterparties::fill(Qty qty, Price price) {
  return Fill{.execution = ExecutionId{next_execution_++},
              .symbol = buy_.symbol,
              .qty = qty,
              .price = price,
              .buyer = {buy_.account, buy_.order},
              .seller = {sell_.account, sell_.order},
              .tick = TickId{1},
              .time = clock_ ? clock_->now() : service_->now()};
}

}  // namespace account::testing
