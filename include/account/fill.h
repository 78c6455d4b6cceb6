// File: fill.h
//
// One execution from the matching engine: a quantity of one symbol changing
// hands at one price between a buy order and a sell order. The settlement
// applier applies each execution id exactly once.
//
//   Fill fill{.execution = ExecutionId{tick << 20 | seq}, .symbol = SymbolId{7},
//             .qty = Qty{5'000}, .price = Price{35'000},
//             .buyer = {AccountId{1}, OrderId{11}}, .seller = {AccountId{2}, OrderId{12}},
//             .tick = TickId{tick}, .time = now};
//
// Thread-safety: plain value.
#pragma once

#include "absl/time/time.h"
#include "account/ids.h"
#include "account/units.h"

namespace account {

struct FillParty {
  AccountId account;
  OrderId order;
  friend bool operator==(const FillParty&, const FillParty&) = default;
};

struct Fill {
  ExecutionId execution;  // Opaque, unique per execution; never 0.
  SymbolId symbol;
  Qty qty;                // In basis points, > 0.
  Price price;            // Cents per share, within the ledger's price range.
  FillParty buyer;
  FillParty seller;
  TickId tick;            // The engine tick that produced it.
  absl::Time time;        // When it executed; also decides the dedupe path (see ledger docs).

  // Field-by-field equality: a redelivery that differs in any field is a conflict.
  friend bool operator==(const Fill&, const Fill&) = default;
};

}  // namespace account
