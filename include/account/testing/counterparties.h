// File: testing/counterparties.h
//
// Counterparties: two accounts on an AccountService that can trade at once, a buyer with cash
// and a seller with shares, each with an order reserved, so that a valid fill between them is
// one line. What an ExecutionManager test needs before its first fill:
//
//   auto pair = account::testing::Counterparties::open(*service).value();
//   service->settle(pair.fill());                     // 0.01 share at $100.00: kApplied
//   service->settle(pair.fill(Qty{5'000}, Price{100'00}));
//
// open() creates both accounts (Google ids "<name>-buyer" and "<name>-seller"), credits the
// buyer exactly what the buy order holds (reserve_notional(qty, buy_limit)) unless told
// otherwise, issues the seller `qty` shares, and reserves a buy and a sell order of `qty` each.
// Every command goes through the service, so a test's FaultInjectingStore counts them too; run
// open() before injecting faults. The fills are stamped with the service's clock, or with the
// clock given in the options, which lets the pair outlive the service (a restart). Every fill
// the pair builds is valid until the orders run out (qty in all) or a price leaves the limits
// (below the sell limit, above the buy limit); the ledger refuses anything else with its
// reason, as it would any fill.
//
// Thread-safety: a value; build fills from one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "account/account_service.h"
#include "account/clock.h"
#include "account/fill.h"
#include "account/ids.h"
#include "account/order_spec.h"
#include "account/testing/builders.h"
#include "account/units.h"

namespace account::testing {

struct CounterpartiesOptions {
  std::string name = "counterparty";  // Prefix of the Google ids and the entry keys.
  SymbolId symbol = kTestSymbol;
  Qty qty{100 * kBpPerShare};  // Each order's quantity, and the shares issued.
  Price buy_limit = kTestPrice;
  Price sell_limit = kTestPrice;
  std::optional<Cents> buyer_cash;  // Default: exactly what the buy order holds.
  OrderId buy_order{1};
  OrderId sell_order{2};
  ExecutionId first_execution{1};
  Qty fill_qty{100};  // fill()'s quantity: 0.01 share.
  // Stamps the fills: give the ledger's clock when the pair should outlive the service it was
  // opened on (a test that restarts the ledger). Null: the service's own clock, through the
  // service, which must then outlive the pair.
  std::shared_ptr<const Clock> clock;
};

class Counterparties {
 public:
  // Sets up the pair on `service`. Fails with the first command's error (an entry key taken
  // with other figures, an order id taken, a store refusing).
  static absl::StatusOr<Counterparties> open(AccountService& service,
                                             CounterpartiesOptions options = {});

  AccountId buyer() const { return buy_.account; }
  AccountId seller() const { return sell_.account; }
  const OrderSpec& buy() const { return buy_; }
  const OrderSpec& sell() const { return sell_; }

  // The next fill between the two orders: options.fill_qty at the sell limit, the next
  // execution id, tick 1, stamped with options.clock (or the service's).
  Fill fill();
  // The same, of `qty` at `price`.
  Fill fill(Qty qty, Price price);

 private:
  Counterparties(const AccountService* service, const CounterpartiesOptions& options, OrderSpec buy,
                 OrderSpec sell);

  const AccountService* service_;
  std::shared_ptr<const Clock> clock_;
  Qty fill_qty_;
  OrderSpec buy_;
  OrderSpec sell_;
  uint64_t next_execution_;
};

}  // namespace account::testing
